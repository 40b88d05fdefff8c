package org.hopwire.gst.playback;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.hopwire.gst.GstPipelineException;

/**
 * A borrowed camera published as a PipeWire {@code Video/Source} node, which the camera portal hands to browsers and
 * OBS's PipeWire source reads. Playback writes raw I420 pictures into shared memory ({@code shmsink}); a helper
 * {@code gst-launch-1.0 shmsrc ! pipewiresink mode=provide} in its own process makes the node.
 *
 * <p>Why a helper process: on PipeWire 0.3.65, pipewiresink inside the app's JVM crashed it (SIGSEGV in
 * do_send_buffer when fed from its own buffer pool) or corrupted its heap about one borrow in three, which
 * gst-launch-1.0 never showed, not under valgrind either. In a process of its own a fault costs the camera node, not
 * the app. The node belongs to the helper's PipeWire connection: it goes when the borrow ends, and when the app
 * dies the shared memory's socket closes, the helper stops and PipeWire removes the node. Nothing is left behind.
 *
 * <p>A consumer must say what it wants ({@code media.type=Video}, as the portal and OBS do): for a {@code
 * pipewiresrc} without it WirePlumber 0.4's policy finds no target, which is what made a first try look as if the
 * node could not negotiate (gst-bridge/README.md).
 */
public final class PipeWireCamera implements AutoCloseable {
    /** The JUnit tag of the end-to-end test that fails on the known-bad versions. */
    public static final String KNOWN_BAD_TAG = "pipewire-camera";
    /**
     * PipeWire versions whose pipewiresink dies when a program connects to its node (Debian 12's 0.3.65: the
     * consumer negotiates, then the helper aborts in gst_buffer_extract; gst-bridge/README.md has the evidence).
     */
    static final java.util.Set<String> KNOWN_BAD = java.util.Set.of("0.3.65");
    private static final AtomicInteger NEXT = new AtomicInteger();

    /** Whether this machine can publish a PipeWire camera. */
    public enum Support {
        AVAILABLE,
        /** No PipeWire runs for this user. */
        NO_PIPEWIRE,
        /** gstreamer1.0-pipewire (pipewiresink), gstreamer1.0-plugins-bad (shmsink) or GStreamer is missing. */
        MISSING_ELEMENTS,
        /** A PipeWire version in {@link #KNOWN_BAD}. */
        KNOWN_BAD_VERSION
    }

    /** The answer and, for {@link Support#KNOWN_BAD_VERSION}, the version. */
    public record Availability(Support support, String version) {
        public boolean available() {
            return support == Support.AVAILABLE;
        }
    }

    /** True for a PipeWire version whose pipewiresink is known to die when a program connects. */
    public static boolean isKnownBad(String version) {
        return KNOWN_BAD.contains(version);
    }

    /** Works out whether a PipeWire camera can be made here (initialises GStreamer: not on a UI thread). */
    public static Availability availability() {
        try {
            org.hopwire.gst.GstRuntime.init();
        } catch (org.hopwire.gst.GStreamerUnavailableException e) {
            return new Availability(Support.MISSING_ELEMENTS, "");
        }
        if (!org.hopwire.gst.GstRuntime.isInstalled("pipewiresink")
                || !org.hopwire.gst.GstRuntime.isInstalled("shmsink")) {
            return new Availability(Support.MISSING_ELEMENTS, "");
        }
        org.freedesktop.gstreamer.Plugin plugin = org.freedesktop.gstreamer.Registry.get().findPlugin("pipewire");
        String version = plugin == null ? "" : plugin.getVersion();
        if (KNOWN_BAD.contains(version)) {
            return new Availability(Support.KNOWN_BAD_VERSION, version);
        }
        if (!Files.exists(socket())) {
            return new Availability(Support.NO_PIPEWIRE, version);
        }
        return new Availability(Support.AVAILABLE, version);
    }
    /** How long the helper may take to start and connect: gst-launch-1.0 starts in about 100 ms. */
    private static final long START_TIMEOUT_MS = 5_000;
    private static final Pattern FRAMERATE = Pattern.compile("framerate\\s*=\\s*(?:\\(fraction\\))?\\s*(\\d{1,6})/(\\d{1,6})");

    private final Path dir;
    private final Process helper;
    private final String nodeName;

    private PipeWireCamera(Path dir, Process helper, String nodeName) {
        this.dir = dir;
        this.helper = helper;
        this.nodeName = nodeName;
    }

    /** A new node name, marked like the virtual microphone's: {@code hopwire.camera.<pid>.<n>}. */
    static String newNodeName() {
        return "hopwire.camera." + ProcessHandle.current().pid() + "." + NEXT.getAndIncrement();
    }

    /** A private folder for the shared memory's socket (only this user can connect). */
    static Path newSocket() throws GstPipelineException {
        try {
            return Files.createTempDirectory("hopwire-camera").resolve("pictures");
        } catch (IOException e) {
            throw new GstPipelineException("PipeWire camera", "cannot make a folder for the pictures: "
                    + e.getMessage(), "");
        }
    }

    /** The part of a playback pipeline after the tee: raw I420 pictures into shared memory at {@code socket}. */
    static String branch(Path socket, String caps) {
        int frame = Math.max(1, Playback.intField(caps, "width", 1920) * Playback.intField(caps, "height", 1080)
                * 3 / 2);
        // Room for four pictures: the helper reads them at once; when it is slow, the leaky queue before this
        // drops old pictures instead of delaying new ones.
        return "videoconvert ! video/x-raw,format=I420 ! shmsink name=pwcam socket-path=\"" + socket
                + "\" wait-for-connection=false sync=false shm-size=" + (4 * frame + (1 << 20)) + " ";
    }

    /** The helper's command: the pictures from shared memory, published as the node. */
    static List<String> helperCommand(Path socket, String caps, String nodeName, String name) {
        Matcher rate = FRAMERATE.matcher(caps);
        String fps = rate.find() && Integer.parseInt(rate.group(2)) > 0 ? rate.group(1) + "/" + rate.group(2)
                : "30/1";
        return List.of("gst-launch-1.0", "-q", "shmsrc", "socket-path=" + socket, "is-live=true",
                "do-timestamp=true", "!", String.format(Locale.ROOT, "video/x-raw,format=I420,width=%d,height=%d,"
                        + "framerate=%s", Playback.intField(caps, "width", 0), Playback.intField(caps, "height", 0),
                        fps),
                "!", "queue", "max-size-buffers=2", "max-size-bytes=0", "max-size-time=0", "leaky=downstream",
                "!", "pipewiresink", "mode=provide", "sync=false", "client-name=Hopwire",
                // gst-launch-1.0 joins its arguments before parsing: the value is quoted whole, the name inside.
                "stream-properties=\"props,media.class=Video/Source,media.role=Camera,node.name=" + nodeName
                        + ",node.description=\\\"" + VirtualMicrophone.label(name) + "\\\"\"");
    }

    /**
     * Starts the helper once playback's shared memory is there.
     *
     * @throws GstPipelineException with what to do when PipeWire or gst-launch-1.0 is missing or the helper fails
     */
    static PipeWireCamera start(Path socket, String caps, String nodeName, String name) throws GstPipelineException {
        check();
        if (Playback.intField(caps, "width", 0) <= 0 || Playback.intField(caps, "height", 0) <= 0) {
            throw new GstPipelineException("PipeWire camera", "the borrowed format has no picture size: " + caps, "");
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        try {
            while (!Files.exists(socket)) {
                if (System.nanoTime() > end) {
                    throw new GstPipelineException("PipeWire camera", "playback did not open its shared memory", "");
                }
                Thread.sleep(10);
            }
            Path log = socket.resolveSibling("helper.log");
            Process p = new ProcessBuilder(helperCommand(socket, caps, nodeName, name)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            // A helper that cannot start (no PipeWire, a missing element) exits at once: say why.
            if (p.waitFor(300, TimeUnit.MILLISECONDS)) {
                String said = Files.readString(log).trim();
                deleteTree(socket.getParent());
                throw new GstPipelineException("PipeWire camera", "the PipeWire helper stopped (exit " + p.exitValue()
                        + ")", said);
            }
            return new PipeWireCamera(socket.getParent(), p, nodeName);
        } catch (IOException e) {
            throw new GstPipelineException("PipeWire camera", "gst-launch-1.0 is missing: install "
                    + "gstreamer1.0-tools", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GstPipelineException("PipeWire camera", "interrupted", "");
        }
    }

    /** Where this user's PipeWire listens: {@code $PIPEWIRE_RUNTIME_DIR} or {@code $XDG_RUNTIME_DIR}, pipewire-0. */
    static Path socket() {
        String remote = System.getenv().getOrDefault("PIPEWIRE_REMOTE", "pipewire-0");
        String dir = System.getenv("PIPEWIRE_RUNTIME_DIR");
        if (dir == null) {
            dir = System.getenv("XDG_RUNTIME_DIR");
        }
        return Path.of(dir == null ? "/run/user/" + uid() : dir).resolve(remote);
    }

    private static String uid() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
        } catch (IOException | RuntimeException e) {
            return "0";
        }
    }

    /** Fails with what to do when no PipeWire runs for this user. */
    static void check() throws GstPipelineException {
        Path s = socket();
        if (!Files.exists(s)) {
            throw new GstPipelineException("PipeWire camera", "PipeWire is not running for this user (no " + s
                    + "): start it (systemctl --user start pipewire wireplumber) or use the virtual webcam "
                    + "(v4l2loopback) instead", "");
        }
    }

    /** The node's name (PipeWire's node.name). */
    public String nodeName() {
        return nodeName;
    }

    /** Stops the helper: PipeWire removes the node. */
    @Override
    public void close() {
        helper.destroy();
        try {
            if (!helper.waitFor(2, TimeUnit.SECONDS)) {
                helper.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            helper.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path d) {
        try (Stream<Path> all = Files.walk(d)) {
            for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a temporary folder: the system cleans it
        }
    }
}
