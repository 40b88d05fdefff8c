package org.hopwire.gst.playback;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.elements.AppSink;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.PipelineHost;

/**
 * A borrow's recording in a pipeline of its own, so it outlives the playback pipeline's rebuilds: when the owner
 * changes the format mid-stream (raw to MJPEG, another size), the playback is rebuilt but the file goes on. Matroska
 * cannot change caps mid-stream, so the file keeps its first format for its whole life: MJPEG at the first size for
 * video, raw 48 kHz stereo for sound.
 *
 * <pre>
 *   playback, MJPEG at the file's size:  appsrc ! tee name=enc ... enc. ! queue ! appsink name=record
 *   playback, anything else (video):     ... decode ! tee ! queue ! videoscale ! videoconvert ! (file's size)
 *                                          ! jpegenc ! appsink name=record
 *   recording:                           appsrc (the file's caps, stamped on arrival) ! queue ! matroskamux ! filesink
 * </pre>
 *
 * <p>A stream that arrives as MJPEG at the file's size is stored as it came: no decode, no encode, no loss (the common
 * case: a webcam's own MJPEG). Raw video is encoded once (JPEG quality 90), as before there was a separate recording;
 * MJPEG of another size (after a change) and H.264 are decoded, scaled and encoded again, the price of one file that
 * survives every format change.
 */
final class RecordingPipeline implements AutoCloseable {
    /** Pictures held between the playback and the encoder: a quarter second at 30 fps, then the oldest drop. */
    static final int QUEUE_BUFFERS = 8;

    private final PipelineHost host;
    private final AppSrc in;
    private final String storedCaps;
    private final AtomicLong frames = new AtomicLong();
    private volatile boolean closed;

    private RecordingPipeline(PipelineHost host, AppSrc in, String storedCaps) {
        this.host = host;
        this.in = in;
        this.storedCaps = storedCaps;
    }

    /**
     * The caps a recording of a stream that starts in {@code caps} stores for its whole life: MJPEG at its size for
     * video (the pictures of later formats are scaled to it, aspect kept with borders), 48 kHz stereo for sound.
     */
    static String storedCapsFor(String caps) {
        if (caps.startsWith("audio/")) {
            return "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2";
        }
        int w = 640;
        int h = 480;
        int fn = 30;
        int fd = 1;
        var formats = org.hopwire.gst.device.CapsText.formats(caps);
        if (!formats.isEmpty() && formats.get(0).width() > 0 && formats.get(0).height() > 0) {
            w = formats.get(0).width();
            h = formats.get(0).height();
        }
        if (!formats.isEmpty() && formats.get(0).fpsNumerator() > 0 && formats.get(0).fpsDenominator() > 0) {
            fn = formats.get(0).fpsNumerator();
            fd = formats.get(0).fpsDenominator();
        }
        // (caps without a size or rate, a bare byte stream's: the defaults.) The muxer needs a frame rate to
        // negotiate; the pictures' own timestamps say when each was shown.
        return "image/jpeg,width=" + w + ",height=" + h + ",framerate=" + fn + "/" + fd;
    }

    /**
     * True when frames in {@code caps} can go into a file of {@code stored} as they arrive: MJPEG pictures of the
     * file's size, framed by Hopwire (a bare byte stream's chunks are not whole pictures).
     */
    static boolean storesAsItComes(String caps, String stored, boolean byteStream) {
        if (byteStream || !caps.startsWith("image/jpeg") || !stored.startsWith("image/jpeg")) {
            return false;
        }
        var now = org.hopwire.gst.device.CapsText.formats(caps);
        var file = org.hopwire.gst.device.CapsText.formats(stored);
        return !now.isEmpty() && !file.isEmpty() && now.get(0).width() == file.get(0).width()
                && now.get(0).height() == file.get(0).height();
    }

    /**
     * The playback's branch that feeds a recording stored as {@code stored}, for a playback of {@code caps}: from the
     * encoded tee {@code enc} when the frames can be stored as they come, else from the decoder's tee {@code t}.
     */
    static String branch(String caps, String stored, boolean byteStream) {
        String sink = "appsink name=record sync=false max-buffers=" + QUEUE_BUFFERS + " drop=true emit-signals=true ";
        String tail = " ! " + sink;
        String queue = "queue max-size-buffers=" + QUEUE_BUFFERS
                + " max-size-bytes=0 max-size-time=0 leaky=downstream ! ";
        if (storesAsItComes(caps, stored, byteStream)) {
            return "enc. ! " + queue + sink;
        }
        if (stored.startsWith("audio/")) {
            return "t. ! " + queue + "audioconvert ! audioresample ! " + stored + tail;
        }
        var file = org.hopwire.gst.device.CapsText.formats(stored).get(0);
        // Any rate passes: a later format may have another, and the recording stamps pictures as they come.
        return "t. ! " + queue + "videoscale ! videoconvert ! video/x-raw,format=I420,width=" + file.width()
                + ",height=" + file.height() + ",pixel-aspect-ratio=1/1 ! jpegenc quality=90" + tail;
    }

    /** The recording pipeline's text. */
    static String describe(String stored, Path file, Predicate<String> has) throws GstPipelineException {
        require(has, "matroskamux", "gstreamer1.0-plugins-good");
        boolean audio = stored.startsWith("audio/");
        if (!audio) {
            require(has, "jpegenc", "gstreamer1.0-plugins-good"); // the playback's branch encodes what is not MJPEG
        }
        // Stamped with this pipeline's running time as each picture arrives: one clock across every format change.
        return "appsrc name=rec is-live=true format=time do-timestamp=true block=false leaky-type=downstream "
                + "max-buffers=" + QUEUE_BUFFERS + " max-bytes=0 ! queue max-size-buffers=" + QUEUE_BUFFERS
                + " max-size-bytes=0 max-size-time=0 ! " + (audio ? "audioconvert ! " : "")
                + "matroskamux name=mux ! filesink name=file sync=false location=\""
                + file.toString().replace("\"", "") + "\"";
    }

    private static void require(Predicate<String> has, String element, String pkg) throws GstPipelineException {
        if (!has.test(element)) {
            throw new GstPipelineException(element, "the " + element + " element is missing: install " + pkg, "");
        }
    }

    /** Starts recording to {@code file} in the format a stream in {@code caps} starts with. */
    static RecordingPipeline start(String name, String caps, Path file, Consumer<MediaProblem> problems)
            throws GstPipelineException, GStreamerUnavailableException {
        GstRuntime.init();
        String stored = storedCapsFor(caps);
        Pipeline p = (Pipeline) Gst.parseLaunch(describe(stored, file, GstRuntime::isInstalled));
        p.setName(name);
        AppSrc src = (AppSrc) p.getElementByName("rec");
        src.setCaps(new Caps(stored));
        PipelineHost h = new PipelineHost(name, p, problems);
        h.play();
        return new RecordingPipeline(h, src, stored);
    }

    /** What the file holds, for its whole life. */
    String storedCaps() {
        return storedCaps;
    }

    long frames() {
        return frames.get();
    }

    /** Connects a playback pipeline's {@code record} appsink (each rebuild has a new one). */
    void feedFrom(AppSink sink) {
        sink.connect((AppSink.NEW_SAMPLE) this::onSample);
    }

    private FlowReturn onSample(AppSink sink) {
        Sample sample = sink.pullSample();
        if (sample == null) {
            return FlowReturn.EOS;
        }
        try {
            if (closed) {
                return FlowReturn.OK;
            }
            // Copied: the sample's buffer belongs to the playback pipeline, which may be torn down at any moment.
            Buffer from = sample.getBuffer();
            ByteBuffer bytes = from.map(false);
            Buffer copy = new Buffer(bytes.remaining());
            copy.map(true).put(bytes);
            copy.unmap();
            from.unmap();
            synchronized (this) {
                if (closed) {
                    copy.dispose();
                    return FlowReturn.OK;
                }
                in.pushBuffer(copy);
            }
            frames.incrementAndGet();
        } finally {
            sample.dispose();
        }
        return FlowReturn.OK;
    }

    /** Finishes the file (end of stream through the muxer, at most 3 s) and stops. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        CountDownLatch eos = new CountDownLatch(1);
        Bus.EOS onEos = source -> eos.countDown();
        host.pipeline().getBus().connect(onEos);
        in.endOfStream();
        try {
            eos.await(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            host.pipeline().getBus().disconnect(onEos);
            host.close();
        }
    }
}
