package org.hopwire.gst.media;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The media benchmark's count of one measurement window, frame by frame: which frames arrived in the window, which
 * of those reached the preview, and which the sender numbered but never arrived. Each frame is known by its
 * sender's timestamp, which the playback reports back when it shows the picture.
 *
 * <p>Two counters read at different moments (frames received since a reset, pictures shown since another read)
 * disagree by the frames in flight at each end of the window and could give a negative drop count; here a picture
 * counts as shown only if its frame was received in the window, so {@code shown <= received} and drops are never
 * negative. After {@link #close()} no new frame joins the window, but the ones in flight may still be shown.
 *
 * <p>Threads: {@link #received} on the session's data thread, {@link #shown} on the playback's.
 */
final class FrameWindow {
    /** Frames received in the window and not shown yet, by sender timestamp (a count, in case two share one). */
    private final ConcurrentHashMap<Long, Integer> pending = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong shown = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private volatile boolean open;
    /** The last sequence number seen, in or before the window (touched on the data thread only). */
    private long lastSequence = -1;

    /** Frames from now on count. */
    void open() {
        open = true;
    }

    /** No frame joins the window from now on; pictures of frames already in it still count as shown. */
    void close() {
        open = false;
    }

    /** A frame arrived: {@code sequence} as the sender numbered it, {@code senderPts} its timestamp. */
    void received(long sequence, long senderPts) {
        long prev = lastSequence;
        lastSequence = sequence;
        if (!open) {
            return;
        }
        if (prev >= 0 && sequence > prev + 1) {
            gaps.addAndGet(sequence - prev - 1);
        }
        received.incrementAndGet();
        pending.merge(senderPts, 1, Integer::sum);
    }

    /** A picture reached the preview; counted (and true returned) only when its frame was received in the window. */
    boolean shown(long senderPts) {
        boolean[] ours = new boolean[1];
        pending.computeIfPresent(senderPts, (k, n) -> {
            ours[0] = true;
            return n == 1 ? null : n - 1;
        });
        if (ours[0]) {
            shown.incrementAndGet();
        }
        return ours[0];
    }

    long received() {
        return received.get();
    }

    long shown() {
        return shown.get();
    }

    /** Frames the sender numbered in the window that never arrived. */
    long sequenceGaps() {
        return gaps.get();
    }

    /** Received in the window but not (yet) shown. */
    long notShown() {
        return received.get() - shown.get();
    }

    /** Frames lost in the window: never arrived, or arrived and never shown. */
    long drops() {
        return sequenceGaps() + notShown();
    }

    /** Whether every frame of the window has been shown (or was lost on the way). */
    boolean drained() {
        return pending.isEmpty();
    }
}
