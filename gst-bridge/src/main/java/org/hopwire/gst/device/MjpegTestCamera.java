package org.hopwire.gst.device;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.elements.AppSink;
import org.hopwire.gst.GstRuntime;

/**
 * A test webcam that makes MJPEG itself, as most USB webcams do at 1080p30: it stands in for a camera's hardware
 * encoder without costing this host an encoder. A cycle of {@link #PICTURES} JPEG pictures of a moving pattern is
 * encoded once per process, when the first capture opens it, and replayed as a live {@code image/jpeg} source at
 * 30 fps: each picture is timestamped when it leaves, as a camera's driver does when a picture is captured. When
 * nobody reads, pictures are dropped, not queued.
 */
public final class MjpegTestCamera {
    public static final int WIDTH = 1920;
    public static final int HEIGHT = 1080;
    public static final int FPS = 30;
    /** Two seconds of pictures: the pattern moves smoothly and repeats; about 5 MB of JPEG. */
    public static final int PICTURES = 60;
    /** jpegenc's default quality, as Hopwire's own encoder uses: the two MJPEG cases are comparable. */
    private static final int QUALITY = 85;
    static final String CAPS = "image/jpeg,width=" + WIDTH + ",height=" + HEIGHT + ",framerate=" + FPS
            + "/1,pixel-aspect-ratio=1/1";

    private static final Object ENCODE_LOCK = new Object();
    private static volatile List<byte[]> cycle;

    private MjpegTestCamera() {
    }

    /** The pictures the camera sends, in order, encoded on first use; the same bytes every time. */
    public static List<byte[]> pictures() {
        List<byte[]> c = cycle;
        if (c == null) {
            synchronized (ENCODE_LOCK) {
                c = cycle;
                if (c == null) {
                    c = encode();
                    cycle = c;
                }
            }
        }
        return c;
    }

    private static List<byte[]> encode() {
        try {
            GstRuntime.init();
        } catch (org.hopwire.gst.GStreamerUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        boolean overlay = GstRuntime.isInstalled("timeoverlay");
        Pipeline p = (Pipeline) Gst.parseLaunch("videotestsrc num-buffers=" + PICTURES + " pattern=ball motion=sweep "
                + "background-color=0xff402030 ! video/x-raw,width=" + WIDTH + ",height=" + HEIGHT + ",framerate="
                + FPS + "/1 ! " + (overlay ? "timeoverlay font-desc=\"Sans 24\" halignment=right valignment=top ! "
                : "") + "videoconvert ! video/x-raw,format=I420 ! jpegenc quality=" + QUALITY
                + " ! appsink name=out sync=false max-buffers=" + PICTURES);
        try {
            AppSink sink = (AppSink) p.getElementByName("out");
            p.play();
            List<byte[]> out = new ArrayList<>(PICTURES);
            for (Sample s; out.size() < PICTURES && (s = sink.pullSample()) != null; ) {
                try {
                    Buffer b = s.getBuffer();
                    ByteBuffer mapped = b.map(false);
                    byte[] bytes = new byte[mapped.remaining()];
                    mapped.get(bytes);
                    b.unmap();
                    out.add(bytes);
                } finally {
                    s.dispose();
                }
            }
            if (out.size() != PICTURES) {
                throw new IllegalStateException("the test webcam's pictures could not be made: " + out.size()
                        + " of " + PICTURES + " encoded (is jpegenc there? gstreamer1.0-plugins-good)");
            }
            return List.copyOf(out);
        } finally {
            p.setState(State.NULL);
            p.dispose();
        }
    }

    /**
     * The source: a live appsrc fed the cycle at 30 fps, then the test devices' unplug switch ({@code
     * switchName}). Pacing starts when the capture first asks for data and stops when the pipeline no longer takes
     * pictures (it stopped).
     */
    static Bin source(String switchName) {
        List<byte[]> pictures = pictures();
        return LiveFeed.source(switchName, CAPS, feed -> {
            int[] next = {0};
            return new LiveFeed.Pacing(1_000_000_000L / FPS, () -> {
                byte[] picture = pictures.get(next[0]++ % pictures.size());
                Buffer b = new Buffer(picture.length); // a copy of about 85 KB
                b.map(true).put(picture);
                b.unmap();
                return feed.pushBuffer(b) == FlowReturn.OK;
            });
        });
    }
}
