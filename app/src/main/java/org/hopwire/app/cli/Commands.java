package org.hopwire.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.hopwire.app.core.ActionRefused;
import org.hopwire.app.core.Hub;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Snapshot;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.session.ConsentDeniedException;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.trust.PairedPeer;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.VirtualWebcam;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands: each reads or acts through the app's {@link Hub}, as the window does. */
final class Commands {
    private Commands() {
    }

    // ---- JSON: field names are part of the command line's interface (docs/drafts/readme-cli.md) -----------------

    /** A peer in {@code peers --json}. */
    record PeerJson(String uuid, String shortUuid, String name, String cableId, boolean onCable, boolean hopwire,
                    int speedGbps, int lanes, boolean paired, String state) {
    }

    record PeersJson(List<PeerJson> peers) {
    }

    record DeviceJson(String id, String name, String kind, boolean test, String summary) {
    }

    /** {@code devices --json}: {@code peer} is null for this host's own devices. */
    record DevicesJson(PeerRefJson peer, List<DeviceJson> devices) {
    }

    record PeerRefJson(String uuid, String name) {
    }

    record StreamJson(String service, String name, String device, int index, int inHopId, int outHopId,
                      int ringSize, long throttlingNs, boolean attached, boolean open) {
    }

    record StreamsJson(List<StreamJson> streams) {
    }

    record ChannelJson(String device, String direction, double bytesPerSecond, double framesPerSecond, long drops,
                       long latencyP50Us, long latencyP99Us) {
    }

    /** One peer's link: rates are the last half second's; {@code roundTripUs} -1 before the first heartbeat. */
    record PeerStatsJson(String uuid, String name, String state, double sentBytesPerSecond,
                         double receivedBytesPerSecond, long roundTripUs, String protection,
                         List<ChannelJson> channels) {
    }

    record StatsJson(String time, List<PeerStatsJson> peers) {
    }

    static DeviceJson json(Snapshot.Device d) {
        return new DeviceJson(d.id(), d.name(), Base.kind(d.kind()), d.test(), d.summary());
    }

    // ---- peers ------------------------------------------------------------------------------------------------

    @Command(name = "peers", mixinStandardHelpOptions = true, description = {"The hosts on the cable and the ones"
        + " paired before, with their state. Reads the cable and the pairings; starts no session."})
    static final class Peers extends Base {
        @Option(names = "--json", description = "print JSON: {\"peers\":[{uuid, shortUuid, name, cableId, onCable,"
                + " hopwire, speedGbps, lanes, paired, state}]}")
        boolean json;

        @Override
        public Integer call() {
            Map<UUID, PairedPeer> paired = new LinkedHashMap<>();
            pairings().forEach(p -> paired.put(p.uuid(), p));
            Optional<Snapshot> live = ctx().live();
            List<PeerJson> rows = new ArrayList<>();
            List<UUID> seen = new ArrayList<>();
            for (PeerHost p : cable()) {
                seen.add(p.uuid());
                String state = live.flatMap(s -> s.peer(p.uuid())).map(x -> x.state().label()).orElse(null);
                rows.add(new PeerJson(p.uuid().toString(), p.uuid().toString().substring(0, 8), p.deviceName(),
                        p.id(), true, p.streamService().isPresent(), p.rxSpeedGbps(), p.rxLanes(),
                        paired.containsKey(p.uuid()), state));
            }
            for (PairedPeer p : paired.values()) {
                if (!seen.contains(p.uuid())) {
                    rows.add(new PeerJson(p.uuid().toString(), p.uuid().toString().substring(0, 8), p.name(), null,
                            false, true, 0, 0, true, live.isPresent() ? PeerState.OFFLINE.label() : null));
                }
            }
            if (json) {
                json(new PeersJson(rows));
                return ExitCode.OK;
            }
            if (rows.isEmpty()) {
                out().println("No peers: nothing on the cable, and none paired before.");
                return ExitCode.OK;
            }
            out().printf("%-20s %-8s %-6s %-9s %-11s %s%n", "NAME", "UUID", "CABLE", "LINK", "PAIRED", "STATE");
            for (PeerJson r : rows) {
                out().printf("%-20s %-8s %-6s %-9s %-11s %s%n", r.name(), r.shortUuid(),
                        r.cableId() == null ? "-" : r.cableId(),
                        r.onCable() ? r.lanes() + "x" + r.speedGbps() + "Gb/s" : "-",
                        r.paired() ? "paired" : "not paired",
                        !r.onCable() ? "not on the cable" : !r.hopwire() ? "no Hopwire there"
                                : r.state() == null ? "on the cable" : r.state());
            }
            return ExitCode.OK;
        }
    }

    // ---- devices ----------------------------------------------------------------------------------------------

    @Command(name = "devices", mixinStandardHelpOptions = true, description = {"This host's cameras and"
        + " microphones; with --peer, the ones a paired peer offers (waits for its session)."})
    static final class Devices extends Base {
        @Option(names = "--peer", paramLabel = "PEER", description = "a peer's name, UUID (or 4+ digit prefix) or"
                + " cable id")
        Optional<String> peer = Optional.empty();

        @Option(names = "--timeout", paramLabel = "DURATION", converter = HopwireCommand.DurationConverter.class,
                description = "how long to wait for the peer's session (default 15s)")
        Duration timeout = Duration.ofSeconds(15);

        @Option(names = "--json", description = "print JSON: {\"peer\": null or {uuid, name}, \"devices\":[{id,"
                + " name, kind, test, summary}]}")
        boolean json;

        @Override
        public Integer call() throws InterruptedException {
            List<Snapshot.Device> devices;
            PeerRefJson who = null;
            if (peer.isPresent()) {
                hub();
                Names.PeerRef ref = peerOnCable(peer.get());
                Snapshot.Peer p = ready(ref, peer.get(), timeout);
                devices = p.devices();
                who = new PeerRefJson(p.uuid().toString(), p.name());
            } else {
                devices = ctx().localDevices();
            }
            if (json) {
                json(new DevicesJson(who, devices.stream().map(Commands::json).toList()));
                return ExitCode.OK;
            }
            out().println((who == null ? "This host" : who.name()) + ": " + (devices.isEmpty() ? "no devices"
                    : devices.size() + (devices.size() == 1 ? " device" : " devices")));
            for (Snapshot.Device d : devices) {
                out().printf("  %-24s %-6s %s%s%n", d.id(), Base.kind(d.kind()), d.name(),
                        d.summary().isEmpty() ? "" : "  (" + d.summary() + ")");
            }
            return ExitCode.OK;
        }
    }

    // ---- streams ----------------------------------------------------------------------------------------------

    @Command(name = "streams", mixinStandardHelpOptions = true, description = {"The USB4STREAM streams configured"
        + " on this host (ConfigFS), as the driver shows them."})
    static final class Streams extends Base {
        @Option(names = "--json", description = "print JSON: {\"streams\":[{service, name, device, index, inHopId,"
                + " outHopId, ringSize, throttlingNs, attached, open}]}")
        boolean json;

        @Override
        public Integer call() {
            List<StreamInfo> streams;
            try {
                streams = ctx().fabric().streams();
            } catch (FabricException e) {
                throw LocalContext.failure(e);
            }
            List<StreamJson> rows = streams.stream().map(s -> new StreamJson(s.address().service(),
                    s.address().name(), s.deviceName(), s.index(), s.inHopId(), s.outHopId(), s.ringSize(),
                    s.throttlingNs(), s.attached(), s.open())).toList();
            if (json) {
                json(new StreamsJson(rows));
                return ExitCode.OK;
            }
            out().println("Streams: " + (rows.isEmpty() ? "none" : rows.size()));
            for (StreamJson s : rows) {
                out().printf("  %-16s /dev/%-10s HopIDs in %d out %d  ring %d  throttling %d ns  %s%s%n",
                        s.service() + "/" + s.name(), s.device(), s.inHopId(), s.outHopId(), s.ringSize(),
                        s.throttlingNs(), s.attached() ? "attached" : "waiting for peer", s.open() ? ", open" : "");
            }
            return ExitCode.OK;
        }
    }

    // ---- lend -------------------------------------------------------------------------------------------------

    @Command(name = "lend", mixinStandardHelpOptions = true, description = {"Offers one of this host's devices to a"
        + " paired peer; its person decides. In a one-shot process the lend lasts until Ctrl+C, SIGTERM, --for, or"
        + " the peer gives it back; in a running Hopwire the command returns once it is lent."})
    static final class Lend extends Base {
        @Parameters(paramLabel = "DEVICE", description = "this host's device: its id or name")
        String device;

        @Option(names = "--to", required = true, paramLabel = "PEER", description = "the peer: name, UUID (or"
                + " prefix) or cable id")
        String to;

        @Option(names = "--for", paramLabel = "DURATION", converter = HopwireCommand.DurationConverter.class,
                description = "end the lend by itself after this long (10s, 2m)")
        Optional<Duration> duration = Optional.empty();

        @Option(names = "--timeout", paramLabel = "DURATION", converter = HopwireCommand.DurationConverter.class,
                description = "how long to wait for the session and the peer's answer (default 60s)")
        Duration timeout = Duration.ofSeconds(60);

        @Override
        public Integer call() throws Exception {
            Hub hub = hub();
            Names.DeviceRef d = Names.device(device, refs(hub.snapshot().devices().isEmpty()
                    ? ctx().localDevices() : hub.snapshot().devices()), "on this host");
            Names.PeerRef ref = peerOnCable(to);
            Snapshot.Peer p = ready(ref, to, timeout);
            AtomicBoolean declined = new AtomicBoolean();
            Runnable unsubscribe = hub.addListener(new Hub.Listener() {
                @Override
                public void offerDeclined(UUID peer, String deviceId) {
                    if (peer.equals(ref.uuid()) && deviceId.equals(d.id())) {
                        declined.set(true);
                    }
                }
            });
            try {
                try {
                    hub.offer(ref.uuid(), d.id()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw refused(cause(e));
                }
                long end = System.nanoTime() + timeout.toNanos();
                while (lend(hub, ref.uuid(), d.id()).isEmpty() && !declined.get() && System.nanoTime() < end) {
                    Thread.sleep(100);
                }
            } finally {
                unsubscribe.run();
            }
            Optional<Snapshot.Lend> lend = lend(hub, ref.uuid(), d.id());
            if (lend.isEmpty()) {
                throw declined.get() ? new CliException(ExitCode.REFUSED, p.name() + " declined " + d.name() + ".")
                        : new CliException(ExitCode.REFUSED, p.name() + " did not take " + d.name() + " within "
                        + timeout.toSeconds() + " s (no answer there?)");
            }
            int channel = lend.get().channel();
            List<String> others = hub.snapshot().lends().stream().filter(l -> l.deviceId().equals(d.id())
                    && !l.peer().equals(ref.uuid())).map(Snapshot.Lend::peerName).toList();
            out().println("Lending " + d.name() + " to " + p.name() + " (" + lend.get().format() + ")"
                    + (others.isEmpty() ? "" : "; also in use by " + String.join(", ", others))
                    + (ctx().foreground() ? duration.map(x -> " for " + x.toSeconds() + " s").orElse("")
                    + ". Ctrl+C ends it." : ": the running Hopwire holds it"
                    + duration.map(x -> " for " + x.toSeconds() + " s").orElse("") + "."));
            out().flush();
            if (!ctx().foreground()) {
                duration.ifPresent(x -> CompletableFuture.delayedExecutor(x.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> hub.revoke(ref.uuid(), channel)));
                return ExitCode.OK;
            }
            Context.HoldEnd end = ctx().hold(duration, () -> lend(hub, ref.uuid(), d.id()).isEmpty());
            if (end == Context.HoldEnd.ENDED) {
                out().println(p.name() + " gave " + d.name() + " back.");
                return ExitCode.OK;
            }
            hub.revoke(ref.uuid(), channel).get(10, TimeUnit.SECONDS);
            long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lend(hub, ref.uuid(), d.id()).isPresent() && System.nanoTime() < stop) {
                Thread.sleep(50);
            }
            out().println("Took " + d.name() + " back from " + p.name() + ".");
            return ExitCode.OK;
        }

        private static Optional<Snapshot.Lend> lend(Hub hub, UUID peer, String deviceId) {
            return hub.snapshot().lends().stream().filter(l -> l.peer().equals(peer) && l.deviceId().equals(deviceId))
                    .findFirst();
        }
    }

    /** A refusal from the hub or the session, as an exit status. */
    static CliException refused(Throwable t) {
        if (t instanceof CliException c) {
            return c;
        }
        if (t instanceof ConsentDeniedException) {
            return new CliException(ExitCode.REFUSED, t.getMessage());
        }
        if (t instanceof ActionRefused) {
            String m = t.getMessage();
            return new CliException(m.contains("not paired") ? ExitCode.NOT_PAIRED : ExitCode.FAILED, m);
        }
        return new CliException(ExitCode.FAILED, String.valueOf(t.getMessage() == null ? t : t.getMessage()));
    }

    // ---- borrow -----------------------------------------------------------------------------------------------

    @Command(name = "borrow", mixinStandardHelpOptions = true, description = {"Borrows a paired peer's device; its"
        + " person decides. In a one-shot process the borrow lasts until Ctrl+C, SIGTERM, --for, or the owner takes"
        + " it back; in a running Hopwire the command returns once the pictures flow."})
    static final class BorrowCmd extends Base {
        @Parameters(paramLabel = "PEER:DEVICE", description = "the peer (name, UUID or prefix, cable id), a colon,"
                + " then its device's id or name: 'Demo laptop:test:camera'")
        String target;

        @Option(names = "--output", paramLabel = "OUTPUT", description = {"where it goes, repeatable: preview"
            + " (a window: needs a display), v4l2:/dev/videoN (a v4l2loopback virtual webcam), file:PATH (a Matroska"
            + " recording), speakers, mic (a microphone as a virtual microphone other programs record from:"
            + " needs PipeWire with pipewire-pulse, or PulseAudio), pipewire (a camera as a PipeWire camera for"
            + " the camera portal and OBS; not on PipeWire 0.3.65). Default: preview for a camera, speakers for a"
            + " microphone"})
        List<String> outputs = new ArrayList<>();

        @Option(names = "--format", paramLabel = "CAPS", description = "the format to ask for, as GStreamer caps"
                + " (video/x-raw,width=640,height=480); the owner has the last word")
        String format = "";

        @Option(names = "--for", paramLabel = "DURATION", converter = HopwireCommand.DurationConverter.class,
                description = "give it back by itself after this long (10s, 2m)")
        Optional<Duration> duration = Optional.empty();

        @Option(names = "--timeout", paramLabel = "DURATION", converter = HopwireCommand.DurationConverter.class,
                description = "how long to wait for the session and the owner's answer (default 60s)")
        Duration timeout = Duration.ofSeconds(60);

        @Override
        public Integer call() throws Exception {
            int colon = target.indexOf(':');
            if (colon <= 0 || colon == target.length() - 1) {
                throw new CliException(ExitCode.USAGE, "'" + target + "' is not PEER:DEVICE: write the peer, a"
                        + " colon and the device, as in 'Demo laptop:Test camera' ('hopwire devices --peer PEER'"
                        + " lists them)");
            }
            String peerName = target.substring(0, colon);
            String deviceName = target.substring(colon + 1);
            List<OutputSpec> specs = new ArrayList<>();
            for (String o : outputs) {
                specs.add(OutputSpec.parse(o, ctx().workingDirectory()));
            }
            Hub hub = hub();
            Names.PeerRef ref = peerOnCable(peerName);
            Snapshot.Peer p = ready(ref, peerName, timeout);
            Names.DeviceRef d = Names.device(deviceName, refs(p.devices()), "on " + p.name());
            // A capture card's outputs are its pictures' (its sound goes to the speakers with them).
            boolean video = p.device(d.id()).map(x -> x.isVideo() || x.isAudioVideo()).orElse(true);
            Outputs out = OutputSpec.outputs(specs.isEmpty() ? List.of(OutputSpec.parse(video ? "preview"
                    : "speakers", ctx().workingDirectory())) : specs, ctx().foreground(), video,
                    d.name() + " on " + p.name());
            CompletableFuture<org.hopwire.engine.session.Borrow> f = hub.borrow(ref.uuid(), d.id(), out, format);
            org.hopwire.engine.session.Borrow b;
            try {
                b = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw refused(cause(e));
            } catch (TimeoutException e) {
                hub.giveBack(ref.uuid(), d.id());
                throw new CliException(ExitCode.REFUSED, p.name() + " did not lend " + d.name() + " within "
                        + timeout.toSeconds() + " s (no answer there?)");
            }
            Optional<CliPreview> preview = out.preview() && ctx().foreground()
                    ? Optional.of(CliPreview.show(hub, ref.uuid(), b.channel(), d.name() + " from " + p.name()))
                    : Optional.empty();
            out().println("Borrowing " + d.name() + " from " + p.name() + " (" + b.caps()
                    + (b.grouped() ? ", with its sound on channel " + b.partner() : "") + ") to "
                    + OutputSpec.describe(specs.isEmpty() ? List.of() : specs, video)
                    + (ctx().foreground() ? duration.map(x -> " for " + x.toSeconds() + " s").orElse("")
                    + ". Ctrl+C gives it back." : ": the running Hopwire holds it"
                    + duration.map(x -> " for " + x.toSeconds() + " s").orElse("") + "."));
            out().flush();
            if (!ctx().foreground()) {
                duration.ifPresent(x -> CompletableFuture.delayedExecutor(x.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> hub.giveBack(ref.uuid(), d.id())));
                return ExitCode.OK;
            }
            Context.HoldEnd end;
            try {
                end = ctx().hold(duration, () -> borrowed(hub, ref.uuid(), d.id()).isEmpty()
                        || preview.map(CliPreview::closed).orElse(false));
            } finally {
                preview.ifPresent(CliPreview::close);
            }
            if (end == Context.HoldEnd.ENDED && borrowed(hub, ref.uuid(), d.id()).isEmpty()) {
                out().println(p.name() + " took " + d.name() + " back.");
                return ExitCode.REFUSED;
            }
            hub.giveBack(ref.uuid(), d.id()).get(10, TimeUnit.SECONDS);
            long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (borrowed(hub, ref.uuid(), d.id()).isPresent() && System.nanoTime() < stop) {
                Thread.sleep(50);
            }
            out().println("Gave " + d.name() + " back to " + p.name() + ".");
            return ExitCode.OK;
        }

        private static Optional<Snapshot.Borrowed> borrowed(Hub hub, UUID peer, String deviceId) {
            return hub.snapshot().borrows().stream().filter(b -> b.peer().equals(peer)
                    && b.deviceId().equals(deviceId)).findFirst();
        }
    }

    /** One {@code --output}. */
    record OutputSpec(String kind, Optional<Path> path) {
        static OutputSpec parse(String text, Path cwd) {
            String t = text.trim();
            if (t.equals("preview") || t.equals("speakers") || t.equals("mic") || t.equals("pipewire")) {
                return new OutputSpec(t, Optional.empty());
            }
            if (t.startsWith("v4l2:")) {
                String dev = t.substring(5);
                if (!dev.matches("/dev/video[0-9]{1,3}")) {
                    throw new CliException(ExitCode.USAGE, "bad --output '" + text + "': a virtual webcam is"
                            + " v4l2:/dev/videoN, as in v4l2:/dev/video42");
                }
                return new OutputSpec("v4l2", Optional.of(Path.of(dev)));
            }
            if (t.startsWith("file:") && t.length() > 5) {
                Path file = cwd.resolve(t.substring(5)).toAbsolutePath().normalize();
                if (Files.isDirectory(file)) {
                    throw new CliException(ExitCode.USAGE, "bad --output '" + text + "': " + file + " is a folder;"
                            + " name a file, as in file:" + file.resolve("camera.mkv"));
                }
                if (file.getParent() == null || !Files.isDirectory(file.getParent())) {
                    throw new CliException(ExitCode.USAGE, "bad --output '" + text + "': there is no folder "
                            + file.getParent() + " to record into");
                }
                return new OutputSpec("file", Optional.of(file));
            }
            throw new CliException(ExitCode.USAGE, "bad --output '" + text + "': use preview, speakers, mic,"
                    + " pipewire, v4l2:/dev/videoN or file:PATH");
        }

        /** The outputs, or why this host cannot have them (no display, no v4l2loopback device). */
        static Outputs outputs(List<OutputSpec> specs, boolean foreground, boolean video) {
            return outputs(specs, foreground, video, "Hopwire");
        }

        /** The outputs; {@code name} ("Test microphone on Demo laptop") names a virtual microphone. */
        static Outputs outputs(List<OutputSpec> specs, boolean foreground, boolean video, String name) {
            boolean mic = false;
            boolean pipewire = false;
            boolean preview = false;
            boolean speakers = false;
            Optional<Path> webcam = Optional.empty();
            Optional<Path> file = Optional.empty();
            for (OutputSpec s : specs) {
                switch (s.kind()) {
                    case "preview" -> {
                        if (!video) {
                            throw new CliException(ExitCode.USAGE, "a microphone has no preview: use --output"
                                    + " speakers or file:PATH");
                        }
                        if (foreground && !CliPreview.hasDisplay()) {
                            throw new CliException(ExitCode.UNAVAILABLE, "a preview needs a display, and there is"
                                    + " none (neither DISPLAY nor WAYLAND_DISPLAY is set): use --output file:PATH"
                                    + " or v4l2:/dev/videoN, or run it in a desktop session");
                        }
                        preview = true;
                    }
                    case "speakers" -> speakers = true;
                    case "mic" -> {
                        if (video) {
                            throw new CliException(ExitCode.USAGE, "a camera cannot be a virtual microphone: use"
                                    + " --output mic for a microphone");
                        }
                        mic = true;
                    }
                    case "pipewire" -> {
                        if (!video) {
                            throw new CliException(ExitCode.USAGE, "a microphone cannot be a PipeWire camera: use"
                                    + " --output mic for a virtual microphone");
                        }
                        org.hopwire.gst.playback.PipeWireCamera.Availability a =
                                org.hopwire.gst.playback.PipeWireCamera.availability();
                        if (!a.available()) {
                            throw new CliException(ExitCode.UNAVAILABLE, switch (a.support()) {
                                case NO_PIPEWIRE -> "PipeWire is not running for this user: start it (systemctl"
                                        + " --user start pipewire wireplumber) or use --output v4l2:/dev/videoN";
                                case MISSING_ELEMENTS -> "a PipeWire camera needs gstreamer1.0-pipewire and"
                                        + " gstreamer1.0-plugins-bad: install them";
                                default -> "PipeWire " + a.version() + "'s pipewiresink stops when a program"
                                        + " connects to the camera: use --output v4l2:/dev/videoN";
                            });
                        }
                        pipewire = true;
                    }
                    case "v4l2" -> {
                        Path dev = s.path().orElseThrow();
                        VirtualWebcam vw = new VirtualWebcam();
                        if (vw.devices().stream().noneMatch(x -> x.path().equals(dev))) {
                            String why;
                            try {
                                why = dev + " is not a v4l2loopback device; the virtual webcam here is "
                                        + vw.find().path() + ": use --output v4l2:" + vw.find().path();
                            } catch (IllegalStateException none) {
                                why = "there is no virtual webcam " + dev + ": " + none.getMessage();
                            }
                            throw new CliException(ExitCode.UNAVAILABLE, why);
                        }
                        webcam = Optional.of(dev);
                    }
                    default -> file = s.path();
                }
            }
            Outputs out = new Outputs(preview, webcam, file, speakers, false);
            out = pipewire ? out.withPipeWireCamera(name) : out;
            return mic ? out.withVirtualMicrophone(name) : out;
        }

        static String describe(List<OutputSpec> specs, boolean video) {
            if (specs.isEmpty()) {
                return video ? "a preview" : "the speakers";
            }
            return String.join(", ", specs.stream().map(s -> switch (s.kind()) {
                case "v4l2" -> "virtual webcam " + s.path().orElseThrow();
                case "file" -> "recording " + s.path().orElseThrow();
                case "mic" -> "a virtual microphone";
                case "pipewire" -> "a PipeWire camera";
                default -> s.kind();
            }).toList());
        }
    }

    // ---- stats ------------------------------------------------------------------------------------------------

    @Command(name = "stats", mixinStandardHelpOptions = true, description = {"The link panel's figures per peer:"
        + " throughput out and in, round trip, and per borrowed or lent device its rate, frames per second, latency"
        + " p50/p99 (over the channel so far, exact to within 1 %%) and drops. Once, or every second with --watch."})
    static final class Stats extends Base {
        @Option(names = "--watch", description = "print again every second (until Ctrl+C or --count)")
        boolean watch;

        @Option(names = "--count", paramLabel = "N", description = "with --watch: stop after N reports")
        Optional<Integer> count = Optional.empty();

        @Option(names = "--json", description = "print JSON (one object per line with --watch): {time, peers:"
                + "[{uuid, name, state, sentBytesPerSecond, receivedBytesPerSecond, roundTripUs, protection,"
                + " channels:[{device, direction, bytesPerSecond, framesPerSecond, drops, latencyP50Us,"
                + " latencyP99Us}]}]}")
        boolean json;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = HopwireCommand.DurationConverter.class,
                description = "how long to wait for the sessions to settle first (default 10s)")
        Duration timeout = Duration.ofSeconds(10);

        @Override
        public Integer call() throws InterruptedException {
            if (count.isPresent() && count.get() < 1) {
                throw new CliException(ExitCode.USAGE, "--count needs 1 or more");
            }
            Hub hub = hub();
            if (ctx().live().isEmpty()) {
                // A fresh process: let the sessions settle and the ticker take a first sample.
                long end = System.nanoTime() + timeout.toNanos();
                Thread.sleep(Hub.TICK_MS);
                while (System.nanoTime() < end && hub.snapshot().peers().stream()
                        .anyMatch(p -> p.state() == PeerState.CONNECTING)) {
                    Thread.sleep(100);
                }
                Thread.sleep(2 * Hub.TICK_MS);
            }
            int n = watch ? count.orElse(Integer.MAX_VALUE) : 1;
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    Thread.sleep(1000);
                }
                report(hub.snapshot());
                out().flush();
            }
            return ExitCode.OK;
        }

        private void report(Snapshot s) {
            List<PeerStatsJson> peers = new ArrayList<>();
            for (Snapshot.Peer p : s.peers()) {
                Snapshot.Link l = p.link();
                peers.add(new PeerStatsJson(p.uuid().toString(), p.name(), p.state().label(),
                        last(l.sentBytesPerSecond()), last(l.receivedBytesPerSecond()), l.roundTripUs(),
                        l.protection().map(x -> x.name().toLowerCase(Locale.ROOT)).orElse(null),
                        l.channels().stream().map(c -> new ChannelJson(c.device(), c.outgoing() ? "out" : "in",
                                c.bytesPerSecond(), c.framesPerSecond(), c.drops(), c.latencyP50Us(),
                                c.latencyP99Us())).toList()));
            }
            if (json) {
                json(new StatsJson(Instant.now().toString(), peers));
                return;
            }
            if (peers.isEmpty()) {
                out().println("No peers on the cable.");
            }
            for (PeerStatsJson p : peers) {
                out().printf(Locale.ROOT, "%s (%s)  %s  out %.1f MB/s  in %.1f MB/s  round trip %s%s%n", p.name(),
                        p.uuid().substring(0, 8), p.state(), p.sentBytesPerSecond() / 1e6,
                        p.receivedBytesPerSecond() / 1e6, p.roundTripUs() < 0 ? "-"
                        : String.format(Locale.ROOT, "%.2f ms", p.roundTripUs() / 1000.0),
                        p.protection() == null ? "" : "  " + p.protection());
                for (ChannelJson c : p.channels()) {
                    out().printf(Locale.ROOT, "  %-3s %-28s %7.1f MB/s %5.1f fps  latency p50 %.1f ms p99 %.1f ms"
                            + "  drops %d%n", c.direction(), c.device(), c.bytesPerSecond() / 1e6,
                            c.framesPerSecond(), c.latencyP50Us() / 1000.0, c.latencyP99Us() / 1000.0, c.drops());
                }
            }
        }

        private static double last(List<Double> values) {
            return values.isEmpty() ? 0 : values.get(values.size() - 1);
        }
    }

    // ---- pair -------------------------------------------------------------------------------------------------

    @Command(name = "pair", mixinStandardHelpOptions = true, description = {"Pairs with a peer: both hosts show a"
        + " 6-digit code; confirm here that the other host shows the same one."})
    static final class Pair extends Base {
        @Parameters(paramLabel = "PEER", description = "the peer: name, UUID (or prefix) or cable id")
        String peer;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = HopwireCommand.DurationConverter.class,
                description = "how long to wait for the code and the other host's answer (default 60s)")
        Duration timeout = Duration.ofSeconds(60);

        @Override
        public Integer call() throws Exception {
            Hub hub = hub();
            Names.PeerRef ref = peerOnCable(peer);
            String name = ref.name() + " (" + ref.uuid().toString().substring(0, 8) + ")";
            Optional<Snapshot.Peer> p = await(ref.uuid(), timeout, s -> s.state() == PeerState.PAIRED
                    || s.state() == PeerState.PAIRING || s.state() == PeerState.NOT_PAIRED);
            if (p.isPresent() && p.get().state() == PeerState.PAIRED) {
                out().println("Already paired with " + name + ".");
                return ExitCode.OK;
            }
            if (p.isPresent() && p.get().state() == PeerState.NOT_PAIRED) {
                hub.reconnect(ref.uuid()).get(10, TimeUnit.SECONDS);
            }
            Questions questions = ctx().questions();
            long end = System.nanoTime() + timeout.toNanos();
            Optional<Questions.Question> q = Optional.empty();
            while (System.nanoTime() < end) {
                q = questions.open().stream().filter(x -> x.kind() == Questions.Kind.PAIRING
                        && x.peer().equals(ref.uuid())).findFirst();
                if (q.isPresent() || hub.snapshot().peer(ref.uuid()).map(x -> x.state() == PeerState.PAIRED)
                        .orElse(false)) {
                    break;
                }
                Thread.sleep(100);
            }
            if (q.isEmpty()) {
                if (hub.snapshot().peer(ref.uuid()).map(x -> x.state() == PeerState.PAIRED).orElse(false)) {
                    out().println("Paired with " + name + " (confirmed elsewhere).");
                    return ExitCode.OK;
                }
                throw new CliException(ExitCode.FAILED, "no pairing code from " + name + " within "
                        + timeout.toSeconds() + " s: is Hopwire running there? Try again");
            }
            out().println("Pairing with " + name + ". The code is: " + q.get().subject());
            boolean yes = ctx().terminal().confirm("Does " + ref.name() + " show the same code?");
            if (ctx().terminal().gone()) {
                // Ctrl+C or a closed terminal is no answer: the question stays for the window's dialog or the
                // notification of the running Hopwire, instead of rejecting the pairing.
                throw new CliException(ExitCode.FAILED, "stopped before answering: the pairing with " + name
                        + " is still waiting for an answer in the running Hopwire");
            }
            if (q.get().isAnswered()) {
                out().println("(answered elsewhere in the meantime)");
            }
            q.get().answer(yes ? SessionHandler.Consent.ALLOW_ONCE : SessionHandler.Consent.DENY);
            if (!yes) {
                throw new CliException(ExitCode.REFUSED, "not paired: you said the codes differ. If they do, someone"
                        + " may be in between; check the cable, then run 'hopwire pair " + quote(peer) + "' again");
            }
            out().println("Waiting for " + ref.name() + " to confirm...");
            out().flush();
            Optional<Snapshot.Peer> after = await(ref.uuid(), timeout, s -> s.state() == PeerState.PAIRED
                    || s.state() == PeerState.NOT_PAIRED);
            if (after.isPresent() && after.get().state() == PeerState.PAIRED) {
                out().println("Paired with " + name + ".");
                return ExitCode.OK;
            }
            if (after.isPresent() && after.get().state() == PeerState.NOT_PAIRED) {
                throw new CliException(ExitCode.REFUSED, "not paired: " + after.get().detail());
            }
            throw new CliException(ExitCode.FAILED, ref.name() + " did not confirm within " + timeout.toSeconds()
                    + " s");
        }
    }

    // ---- show -------------------------------------------------------------------------------------------------

    @Command(name = "show", mixinStandardHelpOptions = true, description = {"Brings back the window of the Hopwire"
        + " running for this host (after 'Keep running in background'). Starting 'hopwire' again does the same."})
    static final class Show extends Base {
        @Override
        public Integer call() {
            if (ctx().foreground()) {
                throw new CliException(ExitCode.NOT_FOUND, "no Hopwire runs for this host: start the window with"
                        + " 'hopwire'");
            }
            Runnable show = ctx().showWindow().orElseThrow(() -> new CliException(ExitCode.FAILED, "Hopwire runs"
                    + " here as a background service ('hopwire serve'), which has no window. To use the window,"
                    + " stop the service first ('systemctl --user stop hopwire'), since both would drive the"
                    + " same cable"));
            show.run();
            out().println("The Hopwire window that was running is shown again.");
            return ExitCode.OK;
        }
    }

    // ---- forget -----------------------------------------------------------------------------------------------

    @Command(name = "forget", mixinStandardHelpOptions = true, description = {"Forgets a peer's pairing: the next"
        + " pairing shows a new code. Works for peers not on the cable too."})
    static final class Forget extends Base {
        @Parameters(paramLabel = "PEER", description = "the peer: name, UUID (or prefix) or cable id")
        String peer;

        @Override
        public Integer call() throws Exception {
            Hub hub = hub();
            Map<UUID, Names.PeerRef> refs = new LinkedHashMap<>();
            for (PeerHost p : cable()) {
                refs.put(p.uuid(), new Names.PeerRef(p.uuid(), p.deviceName(), p.id()));
            }
            List<PairedPeer> pairings = pairings();
            for (PairedPeer p : pairings) {
                refs.putIfAbsent(p.uuid(), new Names.PeerRef(p.uuid(), p.name(), null));
            }
            Names.PeerRef ref = Names.peer(peer, List.copyOf(refs.values()), "on the cable or paired");
            String name = ref.name() + " (" + ref.uuid().toString().substring(0, 8) + ")";
            if (pairings.stream().noneMatch(p -> p.uuid().equals(ref.uuid()))) {
                out().println(name + " is not paired: nothing to forget.");
                return ExitCode.OK;
            }
            try {
                hub.forget(ref.uuid()).get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new CliException(ExitCode.PERMISSION, cause(e).getMessage());
            }
            out().println("Forgot the pairing with " + name + ": pairing again shows a new code.");
            return ExitCode.OK;
        }
    }
}
