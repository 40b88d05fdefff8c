package org.hopwire.engine.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Turns a channel's counters into rates over one-second windows and keeps the last minute of them, for the link
 * panel and the CLI. Whoever displays calls {@link #sample} once a second; the counters stay plain increments.
 */
public final class StatsReporter {
    /** Sixty one-second windows: the chart shows the last minute. */
    public static final int HISTORY = 60;

    /**
     * One window.
     *
     * @param atNanos          when it ended
     * @param bytesPerSecond   payload bytes per second
     * @param framesPerSecond  frames per second
     * @param dropsPerSecond   dropped frames per second
     * @param latencyP50Us     median latency so far, in us (to within 1 %: {@link LatencyHistogram})
     * @param latencyP99Us     99th percentile latency so far, in us (likewise)
     */
    public record Rate(long atNanos, double bytesPerSecond, double framesPerSecond, double dropsPerSecond,
                       long latencyP50Us, long latencyP99Us) {
    }

    private final ChannelStats stats;
    private final LongSupplier clock;
    private final Deque<Rate> history = new ArrayDeque<>(HISTORY);
    private long lastAt;
    private long lastBytes;
    private long lastFrames;
    private long lastDrops;

    public StatsReporter(ChannelStats stats) {
        this(stats, System::nanoTime);
    }

    /** With a clock of its own, so tests can feed it made-up times. */
    public StatsReporter(ChannelStats stats, LongSupplier clock) {
        this.stats = stats;
        this.clock = clock;
        this.lastAt = clock.getAsLong();
    }

    /** Closes the current window and returns its rates. */
    public synchronized Rate sample() {
        long now = clock.getAsLong();
        double seconds = Math.max(1e-9, (now - lastAt) / 1e9);
        long bytes = stats.bytes();
        long frames = stats.frames();
        long drops = stats.drops();
        LatencyHistogram.Snapshot latency = stats.latency();
        Rate r = new Rate(now, (bytes - lastBytes) / seconds, (frames - lastFrames) / seconds,
                (drops - lastDrops) / seconds, latency.p50Us(), latency.p99Us());
        lastAt = now;
        lastBytes = bytes;
        lastFrames = frames;
        lastDrops = drops;
        if (history.size() == HISTORY) {
            history.removeFirst();
        }
        history.addLast(r);
        return r;
    }

    /** The last minute of windows, oldest first. */
    public synchronized List<Rate> history() {
        return new ArrayList<>(history);
    }
}
