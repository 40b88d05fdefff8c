package org.hopwire.gst.playback;

import java.nio.ByteBuffer;

import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Sample;

/**
 * One decoded picture for the screen: BGRA pixels (alpha 255, so premultiplied as JavaFX's PixelBuffer wants) in
 * GStreamer's memory, mapped, not copied. Close it once shown; the memory goes back to GStreamer then.
 */
public final class PreviewFrame implements AutoCloseable {
    private final Sample sample;
    private final Buffer buffer;
    private final ByteBuffer pixels;
    private final int width;
    private final int height;
    private final long pts;
    private final boolean placeholder;
    private boolean closed;

    PreviewFrame(Sample sample, int width, int height) {
        this.sample = sample;
        this.buffer = sample.getBuffer();
        this.pixels = buffer.map(false);
        this.width = width;
        this.height = height;
        this.pts = buffer.getPresentationTimestamp();
        this.placeholder = false;
    }

    /** A frame of Java memory (the "waiting for source" picture), shared: closing it does nothing. */
    PreviewFrame(ByteBuffer pixels, int width, int height) {
        this.sample = null;
        this.buffer = null;
        this.pixels = pixels;
        this.width = width;
        this.height = height;
        this.pts = -1;
        this.placeholder = true;
    }

    /** BGRA, {@code width * 4} bytes per row; valid until {@link #close}. */
    public ByteBuffer pixels() {
        return pixels.duplicate();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The picture's timestamp in the playback pipeline; -1 for the placeholder. */
    public long pts() {
        return pts;
    }

    /** True for the "waiting for source" picture shown while the lender is stalled. */
    public boolean isPlaceholder() {
        return placeholder;
    }

    @Override
    public synchronized void close() {
        if (closed || placeholder) {
            return;
        }
        closed = true;
        buffer.unmap();
        sample.dispose();
    }
}
