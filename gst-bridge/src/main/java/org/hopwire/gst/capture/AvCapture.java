package org.hopwire.gst.capture;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
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
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadLinkException;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.elements.AppSink;
import org.hopwire.engine.protocol.BufferPool;
import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.PipelineHost;
import org.hopwire.gst.device.SourceFactory;
import org.hopwire.gst.format.FormatChoice;

/**
 * Captures a device of pictures and sound together (a capture card) in ONE pipeline: its source bin's {@code video}
 * and {@code audio} pads each go through their format stage to an appsink of their own. One pipeline means one clock
 * and one base time, so a picture and a sound of the same instant carry the same timestamp, which the borrower's
 * synchronized playback relies on (docs/protocol.md, 7.2). Each half's samples become frames of that half's channel,
 * copied once into pooled memory that comes back through {@link #release}.
 */
public final class AvCapture implements AutoCloseable {
    /** Told of frames and problems; called on GStreamer's streaming threads, must return quickly. */
    public interface Listener {
        /** A frame of one half; the listener owns it until it gives it back with {@link AvCapture#release}. */
        void onFrame(boolean audio, MediaFrame frame);

        /** An error (the capture has stopped, both halves) or a warning. */
        void onProblem(MediaProblem problem);
    }

    /** Pooled frame memory, both halves: a few 720p pictures and plenty of 10 ms sound buffers in flight. */
    private static final long POOL_BYTES = 32L << 20;

    private final PipelineHost host;
    private final Listener listener;
    private final Half video;
    private final Half audio;
    private final BufferPool pool = new BufferPool(POOL_BYTES);
    private volatile boolean closed;

    /** One half's appsink, channel, sequence and first caps. */
    private final class Half {
        final boolean isAudio;
        final FormatChoice choice;
        final CompletableFuture<String> firstCaps = new CompletableFuture<>();
        final AtomicLong frames = new AtomicLong();
        volatile int channel = -1;
        long sequence;
        Caps lastCaps;

        Half(boolean isAudio, FormatChoice choice) {
            this.isAudio = isAudio;
            this.choice = choice;
        }

        FlowReturn onSample(AppSink sink) {
            Sample sample = sink.pullSample();
            if (sample == null) {
                return FlowReturn.EOS;
            }
            try {
                Caps caps = sample.getCaps();
                if (lastCaps == null || !lastCaps.equals(caps)) {
                    // A capture card's formats are fixed for its borrow: only the first caps are announced.
                    lastCaps = caps;
                    firstCaps.complete(caps.toString());
                }
                Buffer buffer = sample.getBuffer();
                ByteBuffer mapped = buffer.map(false);
                ByteBuffer copy;
                synchronized (pool) {
                    copy = pool.acquire(mapped.remaining());
                }
                copy.put(mapped).flip();
                buffer.unmap();
                EnumSet<BufferFlags> f = buffer.getFlags();
                int flags = (f.contains(BufferFlags.DELTA_UNIT) ? FragmentHeader.DELTA : FragmentHeader.KEY_FRAME)
                        | (f.contains(BufferFlags.DISCONT) ? FragmentHeader.DISCONT : 0);
                int ch = channel;
                frames.incrementAndGet();
                MediaFrame frame = new MediaFrame(Math.max(ch, 0), sequence++, buffer.getPresentationTimestamp(),
                        buffer.getDecodeTimestamp(), buffer.getDuration(), flags, copy);
                if (ch < 0 || closed) {
                    release(frame);
                } else {
                    listener.onFrame(isAudio, frame);
                }
            } finally {
                sample.dispose();
            }
            return FlowReturn.OK;
        }
    }

    private AvCapture(String name, Pipeline pipeline, FormatChoice videoChoice, FormatChoice audioChoice,
                      Listener listener) {
        this.listener = listener;
        this.video = new Half(false, videoChoice);
        this.audio = new Half(true, audioChoice);
        this.host = new PipelineHost(name, pipeline, this::problem);
    }

    /**
     * Builds and starts the pipeline and waits for both halves' first samples, so both caps are known before anything
     * is promised to a borrower.
     *
     * @param source makes a bin with a {@code video} and an {@code audio} source pad
     * @throws GstPipelineException when the device fails to start or a half sends nothing in time
     */
    public static AvCapture start(String name, SourceFactory source, FormatChoice videoChoice,
                                  FormatChoice audioChoice, Duration startTimeout, Listener listener)
            throws GstPipelineException, GStreamerUnavailableException, InterruptedException {
        GstRuntime.init();
        CapturePipelines.requirePlugins(videoChoice);
        Pipeline pipeline = new Pipeline(name);
        Element src = CapturePipelines.openSource(pipeline, source);
        Bin videoRest = Gst.parseBinFromDescription(CapturePipelines.afterSource(videoChoice), true);
        videoRest.setName("video-format");
        Bin audioRest = Gst.parseBinFromDescription(CapturePipelines.afterSource(audioChoice), true);
        audioRest.setName("audio-format");
        pipeline.addMany(src, videoRest, audioRest);
        try {
            link(src, "video", videoRest);
            link(src, "audio", audioRest);
        } catch (PadLinkException | IllegalStateException e) {
            pipeline.dispose();
            throw new GstPipelineException(name, "the device cannot deliver " + videoChoice.describe() + " with "
                    + audioChoice.describe() + ": " + e.getMessage(), "");
        }
        AvCapture c = new AvCapture(name, pipeline, videoChoice, audioChoice, listener);
        ((AppSink) videoRest.getElementByName("out")).connect((AppSink.NEW_SAMPLE) c.video::onSample);
        ((AppSink) audioRest.getElementByName("out")).connect((AppSink.NEW_SAMPLE) c.audio::onSample);
        c.host.play();
        try {
            CompletableFuture.allOf(c.video.firstCaps, c.audio.firstCaps).get(startTimeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            c.close();
            throw (GstPipelineException) e.getCause();
        } catch (TimeoutException e) {
            c.close();
            throw new GstPipelineException(name, "the device sent " + (c.video.firstCaps.isDone() ? "no sound"
                    : "no pictures") + " within " + startTimeout.toMillis() + " ms", "");
        }
        return c;
    }

    private static void link(Element src, String padName, Bin rest) {
        Pad pad = src.getStaticPad(padName);
        if (pad == null) {
            throw new IllegalStateException("the source has no " + padName + " pad");
        }
        pad.link(rest.getStaticPad("sink"));
    }

    private void problem(MediaProblem p) {
        if (p.severity() == MediaProblem.Severity.ERROR) {
            GstPipelineException e = GstPipelineException.of(p);
            video.firstCaps.completeExceptionally(e);
            audio.firstCaps.completeExceptionally(e);
        }
        if (!closed) {
            listener.onProblem(p);
        }
    }

    /** The pictures' caps (from the first sample). */
    public String videoCaps() {
        return video.firstCaps.getNow("");
    }

    /** The sound's caps (from the first sample). */
    public String audioCaps() {
        return audio.firstCaps.getNow("");
    }

    public FormatChoice videoChoice() {
        return video.choice;
    }

    public FormatChoice audioChoice() {
        return audio.choice;
    }

    /** Frames of both halves are handed on from now on, each for its channel; before this they are dropped. */
    public void sendTo(int videoChannel, int audioChannel) {
        video.channel = videoChannel;
        audio.channel = audioChannel;
    }

    /** The channel of the pictures, -1 before {@link #sendTo}. */
    public int videoChannel() {
        return video.channel;
    }

    /** The channel of the sound, -1 before {@link #sendTo}. */
    public int audioChannel() {
        return audio.channel;
    }

    /** Gives a frame's memory back for the next frames. */
    public void release(MediaFrame frame) {
        synchronized (pool) {
            try {
                pool.release(frame.payload());
            } catch (IllegalArgumentException | IllegalStateException notOurs) {
                // a frame from elsewhere or given twice: leave it to the collector
            }
        }
    }

    public long videoFrames() {
        return video.frames.get();
    }

    public long audioFrames() {
        return audio.frames.get();
    }

    /** The pipeline's base time: a frame's pts plus this is its capture time on the monotonic clock. */
    public long baseTimeNs() {
        return host.pipeline().getBaseTime();
    }

    @Override
    public void close() {
        closed = true;
        host.close();
    }
}
