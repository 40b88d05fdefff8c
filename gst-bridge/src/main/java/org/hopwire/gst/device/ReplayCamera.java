package org.hopwire.gst.device;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.sun.jna.Pointer;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Fraction;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.elements.AppSink;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.natives.WrappedMemory;

/**
 * The test camera's pictures at what a real camera costs this host: a camera hands its pictures over by DMA, at
 * almost no CPU, while videotestsrc draws every picture (about 0.4 cores at 1080p60 and only ~25 fps at 4K on a
 * 2-core machine, so a benchmark measured the drawing more than Hopwire). This source draws a short cycle of the
 * same moving pattern once, in the raw format, size and rate the capture asks for, keeps it in direct memory, and
 * replays it live: each tick wraps the next picture's memory in a read-only GstBuffer (no copy; an element that
 * wants to write copies it, as GStreamer does for any shared memory) stamped when it leaves, as a camera's driver
 * stamps a picture when it is captured. When nobody reads, pictures are dropped, not queued.
 *
 * <p>Selected for the test camera ({@link TestDevices#CAMERA_ID}) with {@code -D}{@value #PROPERTY}{@code =replay}
 * (the media benchmark's "replayed" cases; the app, to profile it without the pattern's drawing); without it the
 * test camera draws every picture, as before.
 */
public final class ReplayCamera {
    /** The system property choosing the test camera's source: {@code replay} for this one. */
    public static final String PROPERTY = "hopwire.test-camera";
    /** The cycle's memory at most: 60 pictures at 1080p NV12 (187 MB), 21 at 4K (261 MB). */
    static final long CYCLE_BYTES = 256L << 20;
    static final int MAX_PICTURES = 60;
    /** A cycle this short still moves; fewer would look like a stutter. */
    static final int MIN_PICTURES = 8;
    /** Cycles kept drawn (one per format, size and rate): a benchmark's two sizes, not every size ever asked. */
    private static final int CYCLES_KEPT = 2;
    /** The raw formats drawn, in the order taken when the capture leaves the format open. */
    private static final String[] FORMATS = {"NV12", "I420", "YUY2"};

    /** What a cycle was drawn for, and its pictures (direct, never written after drawing). */
    record Cycle(String caps, long frameNs, List<ByteBuffer> pictures) {
    }

    private static final Map<String, Cycle> CYCLES = new LinkedHashMap<>(4, 0.75f, true);
    private static final WrappedMemory.Freed KEPT = owner -> { }; // the cycle keeps the memory

    private ReplayCamera() {
    }

    /** Whether the test camera replays ({@value #PROPERTY}{@code =replay}); read when each capture opens it. */
    public static boolean selected() {
        return "replay".equals(System.getProperty(PROPERTY));
    }

    /**
     * The source: a live appsrc, then the test devices' unplug switch ({@code switchName}). On the capture's first
     * request for data it learns the asked format from what follows it, draws (or finds) the cycle, and starts
     * pacing; it stops when the pipeline no longer takes pictures (it stopped).
     */
    static Bin source(String switchName) {
        return LiveFeed.source(switchName, null, feed -> {
            Cycle cycle = cycle(fixate(feed.getStaticPad("src").peerQueryCaps(null)));
            feed.setCaps(new Caps(cycle.caps()));
            int[] next = {0};
            List<ByteBuffer> pictures = cycle.pictures();
            return new LiveFeed.Pacing(cycle.frameNs(), () -> {
                ByteBuffer picture = pictures.get(next[0]++ % pictures.size());
                // Timestamp left unset: do-timestamp stamps it with the running time as it leaves.
                Pointer b = WrappedMemory.wrap(picture, -1L, cycle.frameNs(), 0, picture, KEPT);
                return b == null || WrappedMemory.push(feed, b);
            });
        });
    }

    /**
     * Fixed caps the replay can give for what the capture accepts: the first of {@link #FORMATS} it takes, its size
     * and rate (1920x1080 at 30 fps where it leaves them open).
     */
    static String fixate(Caps accepted) {
        for (String format : FORMATS) {
            Caps both = accepted.intersect(new Caps("video/x-raw,format=" + format));
            if (both.isEmpty()) {
                continue;
            }
            Structure s = both.getStructure(0);
            int width = intField(s, "width", 1920);
            int height = intField(s, "height", 1080);
            int[] rate = {30, 1};
            try {
                Fraction f = s.getFraction("framerate");
                if (f.getNumerator() > 0 && f.getDenominator() > 0) {
                    rate = new int[] {f.getNumerator(), f.getDenominator()};
                }
            } catch (RuntimeException open) {
                // a range or a list: the default rate
            }
            return "video/x-raw,format=" + format + ",width=" + width + ",height=" + height + ",framerate=" + rate[0]
                    + "/" + rate[1] + ",pixel-aspect-ratio=1/1";
        }
        throw new IllegalStateException("the replayed test camera gives raw NV12, I420 or YUY2; asked for " + accepted);
    }

    private static int intField(Structure s, String field, int preferred) {
        if (!s.hasIntField(field)) {
            s.fixateNearestInteger(field, preferred);
        }
        return s.hasIntField(field) ? s.getInteger(field) : preferred;
    }

    /** The cycle for fixed raw caps, drawn on first use. */
    static Cycle cycle(String caps) {
        synchronized (CYCLES) {
            Cycle c = CYCLES.get(caps);
            if (c == null) {
                c = draw(caps);
                CYCLES.put(caps, c);
                while (CYCLES.size() > CYCLES_KEPT) {
                    CYCLES.remove(CYCLES.keySet().iterator().next());
                }
            }
            return c;
        }
    }

    /** How many pictures a cycle of {@code frameBytes} each holds. */
    static int picturesFor(long frameBytes) {
        return (int) Math.max(MIN_PICTURES, Math.min(MAX_PICTURES, CYCLE_BYTES / Math.max(1, frameBytes)));
    }

    private static Cycle draw(String caps) {
        try {
            GstRuntime.init();
        } catch (org.hopwire.gst.GStreamerUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        Structure s = new Caps(caps).getStructure(0);
        Fraction rate = s.getFraction("framerate");
        long frameNs = 1_000_000_000L * rate.getDenominator() / rate.getNumerator();
        long frameBytes = frameBytes(s.getString("format"), s.getInteger("width"), s.getInteger("height"));
        int count = picturesFor(frameBytes);
        boolean overlay = GstRuntime.isInstalled("timeoverlay");
        // The test camera's look (a ball sweeping over its background, a running clock), drawn once.
        Pipeline p = (Pipeline) Gst.parseLaunch("videotestsrc num-buffers=" + count + " pattern=ball motion=sweep "
                + "background-color=0xff203040 ! " + (overlay ? "timeoverlay font-desc=\"Sans 24\" "
                + "halignment=right valignment=top ! " : "") + "capsfilter caps=\"" + caps + "\" ! appsink name=out "
                + "sync=false max-buffers=" + count);
        try {
            AppSink sink = (AppSink) p.getElementByName("out");
            p.play();
            List<ByteBuffer> out = new ArrayList<>(count);
            for (Sample sample; out.size() < count && (sample = sink.pullSample()) != null; ) {
                try {
                    Buffer b = sample.getBuffer();
                    ByteBuffer mapped = b.map(false);
                    ByteBuffer copy = ByteBuffer.allocateDirect(mapped.remaining());
                    copy.put(mapped).flip();
                    b.unmap();
                    out.add(copy);
                } finally {
                    sample.dispose();
                }
            }
            if (out.size() != count) {
                throw new IllegalStateException("the replayed test camera's pictures could not be drawn: "
                        + out.size() + " of " + count + " for " + caps);
            }
            return new Cycle(caps, frameNs, List.copyOf(out));
        } finally {
            p.setState(State.NULL);
            p.dispose();
        }
    }

    /** A picture's bytes at GStreamer's default strides (rows rounded up to 4 bytes per plane). */
    static long frameBytes(String format, int width, int height) {
        return switch (format) {
            case "NV12" -> (long) round4(width) * height + (long) round4((width + 1) / 2 * 2) * ((height + 1) / 2);
            case "I420" -> (long) round4(width) * height + 2L * round4((width + 1) / 2) * ((height + 1) / 2);
            case "YUY2" -> (long) round4(width * 2) * height;
            default -> throw new IllegalArgumentException("not a replayed format: " + format);
        };
    }

    private static int round4(int n) {
        return (n + 3) & ~3;
    }
}
