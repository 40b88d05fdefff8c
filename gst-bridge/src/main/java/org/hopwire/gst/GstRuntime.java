package org.hopwire.gst;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Version;

/**
 * GStreamer for the whole process: initialised once, with its version and plugins looked up for the rest of
 * Hopwire, which never touches gst1-java-core types itself.
 */
public final class GstRuntime {
    /** GStreamer 1.16 is the oldest with everything gst1-java-core 1.4 binds; Debian 12 ships 1.22. */
    private static final Version REQUIRED = Version.of(1, 16);
    static final String INSTALL_HINT = "sudo apt-get install gstreamer1.0-tools gstreamer1.0-plugins-base"
            + " gstreamer1.0-plugins-good";

    /** A GStreamer version. */
    public record GstVersion(int major, int minor, int micro) {
        @Override
        public String toString() {
            return major + "." + minor + "." + micro;
        }
    }

    private static boolean initialised;

    private GstRuntime() {
    }

    /** Initialises GStreamer if not done yet and returns its version. */
    public static synchronized GstVersion init() throws GStreamerUnavailableException {
        if (!initialised) {
            try {
                // No segfault trap: GStreamer sets its own SIGSEGV handler while it loads a plugin in this process,
                // and the JVM uses SIGSEGV itself (safepoint polls, null checks) on other threads at any time; one
                // arriving then made GStreamer print "Caught a segmentation fault while loading plugin file" and
                // exit the JVM (seen once, exit 255, while libav loaded).
                Gst.init(REQUIRED, "Hopwire", "--gst-disable-segtrap");
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                throw new GStreamerUnavailableException("GStreamer's libraries are not installed: " + INSTALL_HINT, e);
            } catch (RuntimeException e) {
                throw new GStreamerUnavailableException("GStreamer could not start (" + e.getMessage()
                        + "): Hopwire needs GStreamer " + REQUIRED + " or newer: " + INSTALL_HINT, e);
            }
            initialised = true;
        }
        Version v = Gst.getVersion();
        return new GstVersion(v.getMajor(), v.getMinor(), v.getMicro());
    }

    /** Whether an element factory is installed, e.g. {@code videotestsrc} from gst-plugins-base. */
    public static boolean hasElement(String factory) throws GStreamerUnavailableException {
        init();
        try {
            return ElementFactory.find(factory) != null;
        } catch (IllegalArgumentException missing) {
            // gst1-java-core reports a missing factory this way rather than with null.
            return false;
        }
    }

    /** Like {@link #hasElement}, but false (not an exception) when GStreamer itself is missing. */
    public static boolean isInstalled(String factory) {
        try {
            return hasElement(factory);
        } catch (GStreamerUnavailableException e) {
            return false;
        }
    }

    /**
     * Runs a {@code gst-launch-1.0}-style pipeline until end of stream: the quickest proof that GStreamer and its
     * plugins work on this machine. Fails with the element and debug text of the first bus error.
     */
    public static void runToEos(String launchLine, Duration timeout)
            throws GStreamerUnavailableException, GstPipelineException, TimeoutException, InterruptedException {
        init();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Pipeline pipeline = (Pipeline) Gst.parseLaunch(launchLine);
        Bus bus = pipeline.getBus();
        Bus.EOS onEos = source -> done.complete(null);
        Bus.ERROR onError = (source, code, message) -> done.completeExceptionally(
                new GstPipelineException(source.getName(), message, ""));
        bus.connect(onEos);
        bus.connect(onError);
        try {
            pipeline.play();
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw (GstPipelineException) e.getCause();
        } finally {
            pipeline.stop();
            bus.disconnect(onEos);
            bus.disconnect(onError);
            pipeline.dispose();
        }
    }
}
