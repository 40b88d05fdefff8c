package org.hopwire.gst.playback;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Pipeline;
import org.hopwire.gst.natives.GstNatives;

/**
 * Keeps the two playbacks of a capture card's borrow in step, and measures how well: both pipelines run on the system
 * clock with one base time, every frame of either half is stamped with the owner's timestamp plus one offset (fixed
 * by the first frame of either half; both halves' timestamps come from the owner's one capture pipeline), and both
 * pipelines have the same fixed latency, so a picture and a sound the owner captured at the same instant leave the
 * outputs at the same instant.
 *
 * <p>The measurement: the test capture card flips its picture between dark and light and starts a beep at every whole
 * second. Each flip seen at the preview's sink and each beep onset heard at the sound's tap (both sinks synced to the
 * clock, so what they receive is what leaves for the screen and the speakers) is paired with the other's nearest
 * within half a second, and the offset (pictures minus sound) is kept over the last {@link #KEPT} pairs.
 */
public final class AvSync {
    /**
     * The latency both halves get: frames wait up to this long for their time, so a picture or sound that took longer
     * on the way than the other half's first frame still plays on time. 100 ms covers a 10 ms sound buffer, the link
     * and a decode on a loaded 2-core machine; the offset bench shows what is left.
     */
    public static final long LATENCY_NS = 100_000_000L;
    /** A frame whose mapped time is this far from now means the owner's timestamps jumped: anchor again. */
    static final long REANCHOR_NS = 2_000_000_000L;
    /** What a frame needs between arriving and its time at the outputs: a decode and a conversion on a busy machine. */
    static final long HEADROOM_NS = 30_000_000L;
    /** The most both halves are moved later, in all: beyond it a late frame plays late. */
    static final long MAX_SHIFT_NS = 1_000_000_000L;
    /** Pairs kept for the figures. */
    public static final int KEPT = 64;
    private static final boolean DEBUG = Boolean.getBoolean("hopwire.avsync.debug");
    /** A beep and a flip further apart than this are not the same tick (ticks are a second apart). */
    static final long PAIR_WINDOW_NS = 500_000_000L;
    /** A beep onset needs this much quiet before it: the 40 ms beep itself is not taken for a second one. */
    static final long QUIET_BEFORE_NS = 300_000_000L;
    /** A sample louder than this (of 32767) is sound: the beep reaches about half scale, silence is 0. */
    static final int ONSET_LEVEL = 3000;

    /** How far apart the outputs are, over the last pairs; milliseconds, pictures minus sound. */
    public record Figures(long pairs, double medianMs, double p95AbsMs, double lastMs) {
        /** Before the first pair. */
        public static final Figures NONE = new Figures(0, Double.NaN, Double.NaN, Double.NaN);
    }

    private final long baseTimeNs = System.nanoTime();
    private final Object lock = new Object();
    private boolean anchored;
    private long offsetNs;
    private long anchors;
    private long shiftedNs;
    private long shifts;

    private Boolean lastLight;
    private long quietSamples = Long.MAX_VALUE / 2;
    private final Deque<Long> pictureTicks = new ArrayDeque<>();
    private final Deque<Long> soundTicks = new ArrayDeque<>();
    private final long[] offsets = new long[KEPT];
    private long pairs;

    /** The base time both pipelines share. */
    public long baseTimeNs() {
        return baseTimeNs;
    }

    /**
     * The running time in both pipelines at which a frame the owner stamped {@code ownerPts} plays (before the
     * latency): the owner's time plus the one offset of the borrow.
     */
    public long localPts(long ownerPts) {
        long now = System.nanoTime() - baseTimeNs;
        synchronized (lock) {
            if (ownerPts < 0) {
                return now;
            }
            if (!anchored || Math.abs(ownerPts + offsetNs - now) > REANCHOR_NS) {
                offsetNs = now - ownerPts;
                anchored = true;
                anchors++;
            }
            // A frame with less than HEADROOM_NS left before its time at the outputs would leave them late: both
            // halves move later together by what it lacks, so they stay in step (a jitter buffer that only grows,
            // up to MAX_SHIFT_NS; a person sees a steady latency, not a drift between picture and sound).
            long lacking = now + HEADROOM_NS - (ownerPts + offsetNs + LATENCY_NS);
            if (lacking > 0 && shiftedNs + lacking <= MAX_SHIFT_NS) {
                offsetNs += lacking;
                shiftedNs += lacking;
                shifts++;
            }
            return ownerPts + offsetNs;
        }
    }

    /** How much later both halves play than the first frame's mapping said, because frames came late; in ns. */
    public long shiftedNs() {
        synchronized (lock) {
            return shiftedNs;
        }
    }

    /** How often the mapping was moved later. */
    public long shifts() {
        synchronized (lock) {
            return shifts;
        }
    }

    /** How often the mapping was set: once for a steady borrow. */
    public long anchors() {
        synchronized (lock) {
            return anchors;
        }
    }

    /**
     * Puts a playback pipeline on the shared clock and base time with the shared latency, makes its outputs wait for
     * their time, and lets its queues hold that time (not a count of buffers: ten 10 ms sound buffers wait at once).
     * Called before the pipeline starts.
     */
    void prepare(Pipeline pipeline) {
        pipeline.useClock(GstNatives.systemClock());
        pipeline.setStartTime(-1); // GST_CLOCK_TIME_NONE: keep the base time given here
        pipeline.setBaseTime(baseTimeNs);
        GstNatives.setLatency(pipeline, LATENCY_NS);
        for (Element e : pipeline.getElements()) {
            String factory = e.getFactory() == null ? "" : e.getFactory().getName();
            if (factory.equals("queue")) {
                e.set("max-size-buffers", 0);
                // Frames wait here for their time: the latency, and what late frames moved both halves later.
                e.set("max-size-time", LATENCY_NS + MAX_SHIFT_NS + HEADROOM_NS);
            } else if (e.getName().equals("preview") || e.getName().equals("audiotap")) {
                // A late picture is shown late rather than skipped: skipping (max-lateness) left a busy machine's
                // preview at 0 fps with a warning per second. Late frames move the mapping later instead.
                e.set("sync", true);
            }
        }
    }

    /** A picture reached the preview's sink: light or dark, and when a flip was shown. */
    void onPicture(PreviewFrame frame, long shownNs) {
        boolean light = meanBgr(frame.pixels(), frame.width(), frame.height()) > 128;
        synchronized (lock) {
            if (lastLight != null && light != lastLight) {
                if (DEBUG) {
                    System.err.printf("avsync flip shown %.1f ms, due %.1f ms%n", (shownNs - baseTimeNs) / 1e6,
                            (frame.pts() + LATENCY_NS) / 1e6);
                }
                tick(pictureTicks, soundTicks, shownNs, true);
            }
            lastLight = light;
        }
    }

    /**
     * Sound reached the tap: S16LE, interleaved; the onset of a beep after quiet is a tick, at the buffer's time plus
     * the samples before it.
     */
    void onSound(ByteBuffer samples, int channels, int rate, long receivedNs, long ptsNs) {
        int onset = -1;
        ByteBuffer b = samples.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int frames = b.remaining() / (2 * Math.max(1, channels));
        synchronized (lock) {
            long quietNeeded = QUIET_BEFORE_NS * rate / 1_000_000_000L;
            for (int i = 0; i < frames; i++) {
                int v = Math.abs(b.getShort(b.position() + i * 2 * channels));
                if (v > ONSET_LEVEL) {
                    if (quietSamples >= quietNeeded && onset < 0) {
                        onset = i;
                    }
                    quietSamples = 0;
                } else {
                    quietSamples++;
                }
            }
            if (onset >= 0) {
                if (DEBUG) {
                    System.err.printf("avsync beep heard %.1f ms (+%d samples), due %.1f ms%n",
                            (receivedNs - baseTimeNs) / 1e6, onset, (ptsNs + LATENCY_NS) / 1e6);
                }
                tick(soundTicks, pictureTicks, receivedNs + onset * 1_000_000_000L / rate, false);
            }
        }
    }

    /** Pairs a tick with the other kind's nearest within the window, or keeps it for the other's to come. */
    private void tick(Deque<Long> mine, Deque<Long> other, long atNs, boolean picture) {
        Long best = null;
        for (Long t : other) {
            if (Math.abs(t - atNs) <= PAIR_WINDOW_NS && (best == null || Math.abs(t - atNs) < Math.abs(best - atNs))) {
                best = t;
            }
        }
        if (best != null) {
            other.remove(best);
            long offset = picture ? atNs - best : best - atNs;
            offsets[(int) (pairs++ % KEPT)] = offset;
            return;
        }
        mine.addLast(atNs);
        while (mine.size() > 4) {
            mine.removeFirst();
        }
    }

    /** The offset now: median and 95th percentile of its size over the last pairs, and the last one. */
    public Figures figures() {
        long[] kept;
        long n;
        long last;
        synchronized (lock) {
            n = pairs;
            if (n == 0) {
                return Figures.NONE;
            }
            kept = Arrays.copyOf(offsets, (int) Math.min(n, KEPT));
            last = offsets[(int) ((n - 1) % KEPT)];
        }
        long[] sorted = kept.clone();
        Arrays.sort(sorted);
        long[] abs = Arrays.stream(kept).map(Math::abs).sorted().toArray();
        return new Figures(n, sorted[sorted.length / 2] / 1e6, abs[(int) Math.ceil(abs.length * 0.95) - 1] / 1e6,
                last / 1e6);
    }

    /** Forgets the pairs so far: figures from now on (after a warm-up, or to measure a stretch on its own). */
    public void resetFigures() {
        synchronized (lock) {
            pairs = 0;
        }
    }

    /** The offsets of the last pairs, oldest first, in milliseconds (pictures minus sound). */
    public java.util.List<Double> recentMs() {
        synchronized (lock) {
            java.util.List<Double> out = new java.util.ArrayList<>();
            for (long i = Math.max(0, pairs - KEPT); i < pairs; i++) {
                out.add(offsets[(int) (i % KEPT)] / 1e6);
            }
            return out;
        }
    }

    /** The mean of blue, green and red over a grid of points of a BGRA picture: 0 black to 255 white. */
    static double meanBgr(ByteBuffer bgra, int width, int height) {
        long sum = 0;
        int n = 0;
        for (int gy = 0; gy < 16; gy++) {
            int y = (height * (2 * gy + 1)) / 32;
            for (int gx = 0; gx < 16; gx++) {
                int x = (width * (2 * gx + 1)) / 32;
                int at = (y * width + x) * 4;
                if (at + 2 < bgra.limit()) {
                    sum += (bgra.get(at) & 0xff) + (bgra.get(at + 1) & 0xff) + (bgra.get(at + 2) & 0xff);
                    n += 3;
                }
            }
        }
        return n == 0 ? 0 : (double) sum / n;
    }

    /** The mean luma over a grid of points of an I420 (or NV12) picture's Y plane: 0 black to 255 white. */
    public static double meanLuma(ByteBuffer yuv, int width, int height) {
        long sum = 0;
        int n = 0;
        for (int gy = 0; gy < 16; gy++) {
            int y = (height * (2 * gy + 1)) / 32;
            for (int gx = 0; gx < 16; gx++) {
                int x = (width * (2 * gx + 1)) / 32;
                int at = y * width + x;
                if (at < yuv.limit()) {
                    sum += yuv.get(at) & 0xff;
                    n++;
                }
            }
        }
        return n == 0 ? 0 : (double) sum / n;
    }

    /** The first sample of channel 0 louder than {@link #ONSET_LEVEL} in S16LE interleaved sound, or -1. */
    public static int firstLoud(ByteBuffer s16, int channels) {
        ByteBuffer b = s16.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int frames = b.remaining() / (2 * channels);
        for (int i = 0; i < frames; i++) {
            if (Math.abs(b.getShort(b.position() + i * 2 * channels)) > ONSET_LEVEL) {
                return i;
            }
        }
        return -1;
    }
}
