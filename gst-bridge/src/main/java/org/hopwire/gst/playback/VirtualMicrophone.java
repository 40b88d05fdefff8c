package org.hopwire.gst.playback;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hopwire.gst.GstPipelineException;

/**
 * A borrowed microphone published as an input of the sound server, so any program (a browser, a meeting app, OBS,
 * {@code arecord} through the sound server) can choose it: a null sink that playback feeds ({@code pulsesink
 * device=}{@link #feedSink()}) and a remapped source of its monitor that programs record from ({@link
 * #sourceName()}, an {@code Audio/Source} node on PipeWire), both made with {@code pactl load-module}.
 *
 * <p>Why two modules: the same commands work on PipeWire (pipewire-pulse 0.3.65) and on plain PulseAudio. On
 * PipeWire 0.3.65, a {@code pipewiresink mode=provide} Audio/Source node delivered every other quantum as silence to
 * a recorder, and WirePlumber does not link a playback stream into a {@code media.class=Audio/Source/Virtual} null
 * sink (checked by hand; see gst-bridge/README.md).
 *
 * <p>Modules outlive the process that loaded them, so each carries a mark: its sink and source names are {@code
 * hopwire.feed.<pid>.<n>} and {@code hopwire.mic.<pid>.<n>}. {@link #cleanUpLeftovers()} removes the marked modules
 * whose process is gone (a crash, a kill) and touches nothing else: not other programs' modules, not those of
 * another Hopwire still running.
 */
public final class VirtualMicrophone implements AutoCloseable {
    /** What every program sees after the device and the peer's name. */
    public static final String SUFFIX = " (Hopwire)";
    /** How long one pactl call may take: the sound server answers in milliseconds; a hung one must not hang us. */
    private static final long PACTL_TIMEOUT_MS = 5_000;
    /** The longest name kept: the sound settings show about this much. */
    private static final int MAX_NAME = 100;
    private static final Pattern MARK = Pattern.compile("(?:sink|source)_name=hopwire\\.(?:feed|mic)\\.(\\d+)\\.\\d+");
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final AtomicBoolean CLEANED = new AtomicBoolean();

    /** Says how to get a sound server when none answers; the same words for the app, the CLI and tests. */
    public static final String HOW_TO_START = "no sound server is running for this user: start PipeWire with "
            + "pipewire-pulse (systemctl --user start pipewire pipewire-pulse wireplumber) or PulseAudio";

    private final String name;
    private final String feedSink;
    private final String sourceName;
    private final List<Integer> modules;
    private boolean closed;

    private VirtualMicrophone(String name, String feedSink, String sourceName, List<Integer> modules) {
        this.name = name;
        this.feedSink = feedSink;
        this.sourceName = sourceName;
        this.modules = modules;
    }

    /**
     * Publishes a virtual microphone named {@code name} + {@link #SUFFIX}, for sound of {@code rate} Hz and {@code
     * channels} channels. Left-overs of crashed runs are removed first (once per process).
     *
     * @throws GstPipelineException with what to do when pactl is missing, no sound server answers or it refuses
     */
    public static VirtualMicrophone create(String name, int rate, int channels) throws GstPipelineException {
        if (CLEANED.compareAndSet(false, true)) {
            cleanUpLeftovers();
        }
        Result info = pactl("info");
        if (info.code != 0) {
            throw new GstPipelineException("virtual microphone", HOW_TO_START, info.err.trim());
        }
        long pid = ProcessHandle.current().pid();
        int n = NEXT.getAndIncrement();
        String feed = "hopwire.feed." + pid + "." + n;
        String source = "hopwire.mic." + pid + "." + n;
        String label = label(name);
        List<Integer> loaded = new ArrayList<>();
        try {
            loaded.add(load(nullSinkArgs(feed, label, rate, channels)));
            loaded.add(load(remapSourceArgs(feed, source, label, channels)));
        } catch (GstPipelineException e) {
            unload(loaded);
            throw e;
        }
        return new VirtualMicrophone(label, feed, source, loaded);
    }

    /** What programs show: the device and the peer, then " (Hopwire)"; quotes and control characters removed. */
    public static String label(String name) {
        String clean = name.replaceAll("[\"'\\\\\\p{Cntrl}]", "").trim();
        if (clean.length() > MAX_NAME) {
            clean = clean.substring(0, MAX_NAME);
        }
        return clean + SUFFIX;
    }

    /** The arguments of the null sink that playback feeds (shown as an output named after the microphone). */
    static List<String> nullSinkArgs(String feed, String label, int rate, int channels) {
        List<String> a = new ArrayList<>(List.of("load-module", "module-null-sink", "sink_name=" + feed,
                "rate=" + rate, "channels=" + channels));
        channelMap(channels).ifPresent(m -> a.add("channel_map=" + m));
        // Double quotes around, single inside: the form both pipewire-pulse and PulseAudio read as one value.
        a.add("sink_properties=\"device.description='" + label.replace(SUFFIX, " (Hopwire feed)") + "'\"");
        return a;
    }

    /** The arguments of the source programs record from: the feed's monitor, remapped to a real input. */
    static List<String> remapSourceArgs(String feed, String source, String label, int channels) {
        List<String> a = new ArrayList<>(List.of("load-module", "module-remap-source", "master=" + feed + ".monitor",
                "source_name=" + source, "channels=" + channels));
        channelMap(channels).ifPresent(m -> {
            a.add("channel_map=" + m);
            a.add("master_channel_map=" + m);
        });
        a.add("source_properties=\"device.description='" + label + "'\"");
        return a;
    }

    private static java.util.Optional<String> channelMap(int channels) {
        return switch (channels) {
            case 1 -> java.util.Optional.of("mono");
            case 2 -> java.util.Optional.of("front-left,front-right");
            default -> java.util.Optional.empty();
        };
    }

    private static int load(List<String> args) throws GstPipelineException {
        Result r = pactl(args.toArray(String[]::new));
        try {
            if (r.code == 0) {
                return Integer.parseInt(r.out.trim());
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new GstPipelineException("virtual microphone", "the sound server refused " + args.get(1) + ": "
                + (r.err.isBlank() ? r.out.trim() : r.err.trim()), String.join(" ", args));
    }

    private static void unload(List<Integer> modules) {
        // The remapped source first: it holds the feed's monitor.
        for (int i = modules.size() - 1; i >= 0; i--) {
            try {
                pactl("unload-module", Integer.toString(modules.get(i)));
            } catch (GstPipelineException e) {
                // nothing more to do; cleanUpLeftovers removes it on the next start
            }
        }
    }

    /**
     * Removes the virtual microphones of Hopwire processes that are gone (crashed or killed): only modules whose
     * sink or source name carries the mark of a process that no longer runs. Quiet when no sound server runs.
     *
     * @return how many modules were removed
     */
    public static int cleanUpLeftovers() {
        Result list;
        try {
            list = pactl("list", "short", "modules");
        } catch (GstPipelineException e) {
            return 0;
        }
        if (list.code != 0) {
            return 0;
        }
        List<Integer> sources = new ArrayList<>();
        List<Integer> sinks = new ArrayList<>();
        for (String line : list.out.split("\n")) {
            String[] f = line.split("\t", 3);
            if (f.length < 3) {
                continue;
            }
            Matcher m = MARK.matcher(f[2]);
            if (!m.find() || isAlive(Long.parseLong(m.group(1)))) {
                continue;
            }
            try {
                (f[1].equals("module-remap-source") ? sources : sinks).add(Integer.parseInt(f[0].trim()));
            } catch (NumberFormatException e) {
                // not a module line
            }
        }
        List<Integer> all = new ArrayList<>(sinks);
        all.addAll(sources); // unloaded from the end: sources before the sinks they read
        unload(all);
        return all.size();
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The null sink playback writes into ({@code pulsesink device=}). */
    public String feedSink() {
        return feedSink;
    }

    /** The source programs record from (its PulseAudio name; PipeWire's node.name). */
    public String sourceName() {
        return sourceName;
    }

    /** The name programs show, e.g. "Test microphone on Demo laptop (Hopwire)". */
    public String name() {
        return name;
    }

    /** Removes the virtual microphone: programs recording from it see it go away. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        unload(modules);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "VirtualMicrophone[%s, %s, modules %s]", name, sourceName, modules);
    }

    private record Result(int code, String out, String err) {
    }

    private static Result pactl(String... args) throws GstPipelineException {
        List<String> cmd = new ArrayList<>();
        cmd.add("pactl");
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new GstPipelineException("virtual microphone", "pactl is missing: install pulseaudio-utils "
                    + "(sudo apt-get install pulseaudio-utils)", e.getMessage());
        }
        try {
            p.getOutputStream().close();
            if (!p.waitFor(PACTL_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new GstPipelineException("virtual microphone", "the sound server did not answer within "
                        + PACTL_TIMEOUT_MS + " ms", String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new GstPipelineException("virtual microphone", "pactl failed", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new GstPipelineException("virtual microphone", "interrupted", String.join(" ", cmd));
        }
    }
}
