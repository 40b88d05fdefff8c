package org.hopwire.gst.playback;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Hands pictures to the screen "latest wins": the streaming thread puts the newest picture in the slot and frees the
 * one that was never shown; the UI takes whatever is newest when it draws. Nothing queues, nothing is copied.
 */
public final class PreviewSlot {
    private final AtomicReference<PreviewFrame> slot = new AtomicReference<>();
    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile Runnable onOffer = () -> { };

    /** Puts a picture in the slot; a picture still there (never shown) is freed. */
    public void offer(PreviewFrame frame) {
        offered.incrementAndGet();
        PreviewFrame old = slot.getAndSet(frame);
        if (old != null) {
            skipped.incrementAndGet();
            old.close();
        }
        onOffer.run();
    }

    /** The newest picture, or null when none arrived since the last take. The taker closes it once shown. */
    public PreviewFrame take() {
        return slot.getAndSet(null);
    }

    /** Called after each offer on the streaming thread (to schedule a redraw); must return at once. */
    public void onOffer(Runnable r) {
        this.onOffer = r == null ? () -> { } : r;
    }

    /** Pictures offered so far. */
    public long offered() {
        return offered.get();
    }

    /** Pictures replaced before anyone took them: the screen is slower than the source, which is fine. */
    public long skipped() {
        return skipped.get();
    }

    /** Frees a picture left in the slot. */
    void clear() {
        PreviewFrame old = slot.getAndSet(null);
        if (old != null) {
            old.close();
        }
    }
}
