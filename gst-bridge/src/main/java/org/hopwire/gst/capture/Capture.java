package org.hopwire.gst.capture;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.BufferFlags;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.elements.AppSink;
import org.hopwire.engine.protocol.BufferPool;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.PipelineHost;
import org.hopwire.gst.device.Balance;
import org.hopwire.gst.device.SourceFactory;
import org.hopwire.gst.device.V4l2Controls;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.natives.GstNatives;

/**
 * Captures one device in a chosen format into engine frames: source, format stage (convert, encode), a bounded
 * appsink. Each sample becomes a {@link MediaFrame} with the buffer's timestamps and flags. Its bytes are sent from
 * the sample's own memory while at most {@link #HELD_SAMPLES} samples are held, else copied once into a pooled
 * buffer; either comes back through {@link #release}. Caps changes are reported before the frames that follow them.
 */
public final class Capture implements AutoCloseable {
    /** Told of caps, frames and problems; called on GStreamer's streaming thread, must return quickly. */
    public interface Listener {
        /** The caps the frames after this follow: first when capture starts, again when they change. */
        void onCaps(String caps);

        /** A frame; the listener owns it until it gives it back with {@link Capture#release}. */
        void onFrame(MediaFrame frame);

        /** An error (the capture has stopped) or a warning. */
        void onProblem(MediaProblem problem);

        /**
         * An error in this format's own part of a shared device (its converter or encoder, see {@link DeviceTap}):
         * this capture has stopped, the device goes on for its other formats.
         */
        default void onFormatFailed(MediaProblem problem) {
            onProblem(problem);
        }
    }

    /**
     * Pooled frame memory: enough for a few 4K frames in flight. Direct, so the session seals a frame straight from
     * it (AES-GCM direct to direct; from a heap buffer it needs a copy first). The sample itself is not held until
     * the frame is sent: a camera has only a few buffers (v4l2src: 4), and frames waiting in the send queue would
     * starve it.
     */
    private static final long POOL_BYTES = 64L << 20;
    /**
     * Samples whose own memory frames are sent from, at once. A frame sent from its sample reaches the cable without
     * a copy (a raw 4K frame's copy took 2 to 3 ms before its first byte could leave); holding few keeps the camera's
     * own buffers (v4l2src: 4) for the camera. Frames beyond these wait in the send queue as copies.
     */
    static final int HELD_SAMPLES = 2;
    /** Set to true: every frame copied, as before samples were held (the media benchmark's "before" rows). */
    public static final String COPY_EVERY_FRAME = "hopwire.capture.copy-every-frame";
    /**
     * Set to true: every branch of a shared device has a queue, a lone one too, as before a lone branch ran on the
     * device's thread (the media benchmark's "before" row; see {@link DeviceTap}).
     */
    public static final String QUEUE_EVERY_BRANCH = "hopwire.capture.queue-every-branch";

    /** A sample a frame is sent from, mapped, until the frame comes back. */
    private record Held(Sample sample, Buffer buffer) {
    }

    private final PipelineHost host;
    private final AppSink sink;
    private final Listener listener;
    private final FormatChoice choice;
    private final BufferPool pool = new BufferPool(POOL_BYTES, true);
    /** The held samples by their frames' payload (identity); guarded by {@link #pool}. */
    private final java.util.Map<ByteBuffer, Held> held = new java.util.IdentityHashMap<>();
    private final int holdAtMost = Boolean.getBoolean(COPY_EVERY_FRAME) ? 0 : HELD_SAMPLES;
    private final CompletableFuture<String> firstCaps = new CompletableFuture<>();
    private final AtomicLong frames = new AtomicLong();
    private volatile int channel = -1;
    private volatile long sequence;
    private Caps lastCaps;
    private volatile boolean closed;
    /** The device's element, for its own controls (a {@code v4l2src}'s {@code extra-controls}). */
    private Element source;
    /** The balance element, when the capture has one. */
    private Element balance;
    /** For a branch of a shared device ({@link DeviceTap}): takes the branch off the device instead of a close. */
    private final Runnable detach;
    /** Test seam: the branch fails on its next sample, as an encoder that breaks down does. */
    private volatile boolean broken;

    private Capture(String name, Pipeline pipeline, AppSink sink, FormatChoice choice, long firstSequence,
                    Listener listener) {
        this.sink = sink;
        this.listener = listener;
        this.choice = choice;
        this.sequence = firstSequence;
        this.host = new PipelineHost(name, pipeline, this::problem);
        this.detach = null;
        sink.connect((AppSink.NEW_SAMPLE) this::onSample);
    }

    /** A branch of a device's shared pipeline: the device's host reports its problems here through the tap. */
    private Capture(PipelineHost shared, AppSink sink, FormatChoice choice, Listener listener, Runnable detach) {
        this.sink = sink;
        this.listener = listener;
        this.choice = choice;
        this.host = shared;
        this.detach = detach;
        sink.connect((AppSink.NEW_SAMPLE) this::onSample);
    }

    /**
     * A capture of one branch of a device already running in {@code shared} ({@link DeviceTap}): frames from
     * {@code sink}, problems as the tap passes them on; closing it runs {@code detach} rather than stopping the
     * pipeline. Its controls are the tap's, given with {@code source} and {@code balance}.
     */
    static Capture branch(PipelineHost shared, AppSink sink, FormatChoice choice, Element source, Element balance,
                          Listener listener, Runnable detach) {
        Capture c = new Capture(shared, sink, choice, listener, detach);
        c.source = source;
        c.balance = balance;
        return c;
    }

    /** Waits for the branch's first sample; false when the time ran out; throws the pipeline's error. */
    boolean awaitFirstCaps(Duration timeout) throws GstPipelineException, InterruptedException {
        try {
            firstCaps.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            throw (GstPipelineException) e.getCause();
        } catch (TimeoutException e) {
            return false;
        }
    }

    /**
     * Builds and starts the pipeline and waits for its first sample, so the caps are known before anything is
     * promised to a borrower.
     *
     * @throws GstPipelineException when the device fails to start (busy, gone, format refused) or a plugin is missing
     */
    public static Capture start(String name, SourceFactory source, FormatChoice choice, long firstSequence,
                                Duration startTimeout, Listener listener)
            throws GstPipelineException, GStreamerUnavailableException, InterruptedException {
        return start(name, source, choice, firstSequence, startTimeout, false, listener);
    }

    /**
     * As above; with {@code balance} a raw video capture gets a {@code videobalance} element right after the source,
     * whose {@link Balance} controls {@link #applyControl} sets (for sources without controls of their own).
     */
    public static Capture start(String name, SourceFactory source, FormatChoice choice, long firstSequence,
                                Duration startTimeout, boolean balance, Listener listener)
            throws GstPipelineException, GStreamerUnavailableException, InterruptedException {
        GstRuntime.init();
        CapturePipelines.requirePlugins(choice);
        Pipeline pipeline = new Pipeline(name);
        Element src = CapturePipelines.openSource(pipeline, source);
        boolean withBalance = balance && CapturePipelines.canBalance(choice);
        Bin rest = Gst.parseBinFromDescription((withBalance ? "videobalance name=" + Balance.ELEMENT + " ! " : "")
                + CapturePipelines.afterSource(choice), true);
        rest.setName("format");
        pipeline.addMany(src, rest);
        if (!src.link(rest)) {
            pipeline.dispose();
            throw new GstPipelineException(name, "the device cannot deliver " + choice.describe(), "");
        }
        AppSink sink = (AppSink) rest.getElementByName("out");
        Capture c = new Capture(name, pipeline, sink, choice, firstSequence, listener);
        c.source = src;
        c.balance = withBalance ? rest.getElementByName(Balance.ELEMENT) : null;
        c.host.play();
        try {
            c.firstCaps.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            c.close();
            throw (GstPipelineException) e.getCause();
        } catch (TimeoutException e) {
            c.close();
            throw new GstPipelineException(name, "the device sent nothing within " + startTimeout.toMillis()
                    + " ms", "");
        }
        return c;
    }

    void problem(MediaProblem p) {
        if (p.severity() == MediaProblem.Severity.ERROR) {
            firstCaps.completeExceptionally(GstPipelineException.of(p));
        }
        if (!closed) {
            listener.onProblem(p);
        }
    }

    /** A problem of this branch's own part of a shared device: an error stops this branch only. */
    void formatProblem(MediaProblem p) {
        if (p.severity() != MediaProblem.Severity.ERROR) {
            problem(p);
            return;
        }
        firstCaps.completeExceptionally(GstPipelineException.of(p));
        if (!closed) {
            listener.onFormatFailed(p);
        }
    }

    private FlowReturn onSample(AppSink appSink) {
        Sample sample = appSink.pullSample();
        if (sample == null) {
            return FlowReturn.EOS;
        }
        if (broken) {
            // An element of the branch failing: its error, then an error flow back up the branch, as encoders do.
            sample.dispose();
            GstNatives.postResourceError(appSink, 1, "this branch was broken on purpose (a test)", "");
            return FlowReturn.ERROR;
        }
        try {
            Caps caps = sample.getCaps();
            if (lastCaps == null || !lastCaps.equals(caps)) {
                lastCaps = caps;
                String text = caps.toString();
                if (!firstCaps.isDone()) {
                    firstCaps.complete(text);
                } else {
                    listener.onCaps(text);
                }
            }
            Buffer buffer = sample.getBuffer();
            ByteBuffer mapped = buffer.map(false);
            int ch = channel;
            ByteBuffer payload;
            synchronized (pool) {
                if (ch >= 0 && !closed && mapped.isDirect() && held.size() < holdAtMost) {
                    held.put(mapped, new Held(sample, buffer));
                    payload = mapped;
                } else {
                    payload = pool.acquire(mapped.remaining());
                }
            }
            if (payload == mapped) {
                sample = null; // held until the frame comes back
            } else {
                payload.put(mapped).flip();
                buffer.unmap();
            }
            EnumSet<BufferFlags> f = buffer.getFlags();
            int flags = (f.contains(BufferFlags.DELTA_UNIT) ? FragmentHeader.DELTA : FragmentHeader.KEY_FRAME)
                    | (f.contains(BufferFlags.DISCONT) ? FragmentHeader.DISCONT : 0)
                    | (f.contains(BufferFlags.HEADER) ? FragmentHeader.HEADER : 0);
            long seq = sequence++;
            frames.incrementAndGet();
            MediaFrame frame = new MediaFrame(Math.max(ch, 0), seq, buffer.getPresentationTimestamp(),
                    buffer.getDecodeTimestamp(), buffer.getDuration(), flags, payload);
            if (ch < 0 || closed) {
                release(frame); // not lent yet: nobody wants it
            } else {
                listener.onFrame(frame);
            }
        } finally {
            if (sample != null) {
                sample.dispose();
            }
        }
        return FlowReturn.OK;
    }

    /** Samples held for frames not yet given back (tests). */
    int heldSamples() {
        synchronized (pool) {
            return held.size();
        }
    }

    /** The caps the first sample came with. */
    public String caps() {
        return firstCaps.getNow("");
    }

    /** Frames are handed on from now on, for this channel; before this they are dropped. */
    public void sendTo(int channel) {
        this.channel = channel;
    }

    /** Gives a frame's memory back for the next frames: its sample to GStreamer, or its buffer to the pool. */
    public void release(MediaFrame frame) {
        Held h;
        synchronized (pool) {
            h = held.remove(frame.payload());
        }
        if (h != null) {
            h.buffer().unmap();
            h.sample().dispose();
            return;
        }
        synchronized (pool) {
            try {
                pool.release(frame.payload());
            } catch (IllegalArgumentException | IllegalStateException notOurs) {
                // a frame from elsewhere or given twice: leave it to the collector
            }
        }
    }

    /** Test seam: makes this branch of a shared device fail on its next picture, the device running on. */
    void breakBranch() {
        if (detach == null) {
            throw new IllegalStateException("not a branch of a shared device");
        }
        broken = true;
    }

    /** Asks the encoder for a key frame with stream headers now (H.264; raw and MJPEG frames are all key frames). */
    public void requestKeyFrame() {
        if (choice.encoding() == FormatChoice.Encoding.H264 && !closed) {
            sink.sendEvent(GstNatives.forceKeyUnit());
        }
    }

    /**
     * Sets a control on the running capture and returns the value now in force: a {@link Balance} control on the
     * balance element (read back from it), any other on a {@code v4l2src} through {@code extra-controls}, which the
     * element applies to the open device at once. V4L2 cannot be read back from here, so its answer is the value
     * clamped to the control's range and step, the value the driver was given.
     *
     * @throws IllegalArgumentException when this capture has nothing that sets the control
     */
    public synchronized long applyControl(ControlMessage.Control control, long value) {
        if (closed) {
            throw new IllegalStateException("the capture has stopped");
        }
        if (balance != null && Balance.control(control.name()).isPresent()) {
            return Balance.apply(balance, control, value);
        }
        if (source != null && source.getFactory() != null && "v4l2src".equals(source.getFactory().getName())) {
            long v = control.clamp(value);
            source.set("extra-controls", org.freedesktop.gstreamer.Structure.fromString(
                    V4l2Controls.extraControls(control.name(), v)));
            return v;
        }
        throw new IllegalArgumentException("this capture cannot set " + control.name());
    }

    /** Whether this capture has a balance element (its source has no colour controls of its own). */
    public boolean hasBalance() {
        return balance != null;
    }

    public FormatChoice choice() {
        return choice;
    }

    /** The next frame's sequence number: a replacement capture continues from here. */
    public long nextSequence() {
        return sequence;
    }

    public long framesCaptured() {
        return frames.get();
    }

    /** The kinds (factory names) of the pipeline's elements, for tests and diagnostics: "jpegenc", "appsink", ... */
    public java.util.List<String> elementKinds() {
        java.util.List<String> kinds = new java.util.ArrayList<>();
        for (Element e : host.pipeline().getElementsRecursive()) {
            if (e.getFactory() != null) {
                kinds.add(e.getFactory().getName());
            }
        }
        return kinds;
    }

    /** The pipeline's base time: a frame's pts plus this is its capture time on the monotonic clock. */
    public long baseTimeNs() {
        return host.pipeline().getBaseTime();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true; // after this no control reaches the pipeline being torn down
        }
        if (detach != null) {
            detach.run();
        } else {
            host.close();
        }
    }
}
