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
 * cannot change caps mid-stream, so the recording takes decoded pictures (or sound) scaled and converted to the
 * first format's raw caps, and encodes them itself: one file, one format, frames from before and after every change.
 *
 * <pre>
 *   playback:  ... decode ! tee ! queue ! videoscale ! videoconvert ! (fixed raw caps) ! appsink name=record
 *   recording: appsrc (fixed raw caps, stamped on arrival) ! queue ! jpegenc ! matroskamux ! filesink
 * </pre>
 *
 * <p>The cost: a stream that arrives as MJPEG or H.264 is decoded and encoded again (JPEG quality 90) rather than
 * stored as it came; a person who records wants the file to survive a format change more than the last bit of
 * quality.
 */
final class RecordingPipeline implements AutoCloseable {
    /** Pictures held between the playback and the encoder: a quarter second at 30 fps, then the oldest drop. */
    static final int QUEUE_BUFFERS = 8;

    private final PipelineHost host;
    private final AppSrc in;
    private final String rawCaps;
    private final AtomicLong frames = new AtomicLong();
    private volatile boolean closed;

    private RecordingPipeline(PipelineHost host, AppSrc in, String rawCaps) {
        this.host = host;
        this.in = in;
        this.rawCaps = rawCaps;
    }

    /**
     * The raw caps a recording of a stream in {@code caps} keeps for its whole life: its size for video (the
     * pictures of later formats are scaled to it, aspect kept with borders), 48 kHz stereo for sound.
     */
    static String rawCapsFor(String caps) {
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
        return "video/x-raw,format=I420,width=" + w + ",height=" + h + ",pixel-aspect-ratio=1/1,framerate=" + fn
                + "/" + fd;
    }

    /** The playback's branch that feeds a recording in {@code rawCaps} (after its decoder's tee {@code t}). */
    static String branch(String rawCaps) {
        String convert = rawCaps.startsWith("audio/") ? "audioconvert ! audioresample ! "
                : "videoscale ! videoconvert ! ";
        // Any rate passes: a later format may have another, and the recording stamps pictures as they come.
        String filter = rawCaps.replaceAll(",framerate=[0-9]+/[0-9]+", "");
        return "t. ! queue max-size-buffers=" + QUEUE_BUFFERS + " max-size-bytes=0 max-size-time=0 leaky=downstream ! "
                + convert + filter + " ! appsink name=record sync=false max-buffers=" + QUEUE_BUFFERS
                + " drop=true emit-signals=true ";
    }

    /** The recording pipeline's text. */
    static String describe(String rawCaps, Path file, Predicate<String> has) throws GstPipelineException {
        require(has, "matroskamux", "gstreamer1.0-plugins-good");
        boolean audio = rawCaps.startsWith("audio/");
        if (!audio) {
            require(has, "jpegenc", "gstreamer1.0-plugins-good");
        }
        // Stamped with this pipeline's running time as each picture arrives: one clock across every format change.
        return "appsrc name=rec is-live=true format=time do-timestamp=true block=false leaky-type=downstream "
                + "max-buffers=" + QUEUE_BUFFERS + " max-bytes=0 ! queue max-size-buffers=" + QUEUE_BUFFERS
                + " max-size-bytes=0 max-size-time=0 ! " + (audio ? "audioconvert ! " : "jpegenc quality=90 ! ")
                + "matroskamux name=mux ! filesink name=file sync=false location=\""
                + file.toString().replace("\"", "") + "\"";
    }

    private static void require(Predicate<String> has, String element, String pkg) throws GstPipelineException {
        if (!has.test(element)) {
            throw new GstPipelineException(element, "the " + element + " element is missing: install " + pkg, "");
        }
    }

    /** Starts recording to {@code file} in the raw caps a stream in {@code caps} starts with. */
    static RecordingPipeline start(String name, String caps, Path file, Consumer<MediaProblem> problems)
            throws GstPipelineException, GStreamerUnavailableException {
        GstRuntime.init();
        String raw = rawCapsFor(caps);
        Pipeline p = (Pipeline) Gst.parseLaunch(describe(raw, file, GstRuntime::isInstalled));
        p.setName(name);
        AppSrc src = (AppSrc) p.getElementByName("rec");
        src.setCaps(new Caps(raw));
        PipelineHost h = new PipelineHost(name, p, problems);
        h.play();
        return new RecordingPipeline(h, src, raw);
    }

    String rawCaps() {
        return rawCaps;
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
