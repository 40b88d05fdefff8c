package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.MediaFrame;
import org.junit.jupiter.api.Test;

/** The flow-control policies and the statistics, fed made-up frames and times: no I/O. */
class FlowAndStatsTest {
    private static MediaFrame f(long seq, boolean key) {
        return new MediaFrame(0, seq, seq, -1, -1, key ? FragmentHeader.KEY_FRAME : FragmentHeader.DELTA,
                ByteBuffer.allocate(1));
    }

    private static List<Long> seqs(Deque<MediaFrame> q) {
        return q.stream().map(MediaFrame::sequence).toList();
    }

    @Test
    void videoShouldGiveUpItsOldestNonKeyFrameAndKeepOrder() {
        Deque<MediaFrame> q = new ArrayDeque<>(List.of(f(0, true), f(1, false), f(2, false), f(3, true)));
        OverflowPolicy.VIDEO.makeRoom(q);
        assertEquals(List.of(0L, 2L, 3L), seqs(q));
    }

    @Test
    void videoOfOnlyKeyFramesShouldGiveUpTheOldest() {
        Deque<MediaFrame> q = new ArrayDeque<>(List.of(f(0, true), f(1, true)));
        OverflowPolicy.VIDEO.makeRoom(q);
        assertEquals(List.of(1L), seqs(q));
    }

    @Test
    void audioShouldGiveUpItsOldestAndNeverReorder() {
        Deque<MediaFrame> q = new ArrayDeque<>(List.of(f(0, false), f(1, true), f(2, false)));
        OverflowPolicy.AUDIO.makeRoom(q);
        assertEquals(List.of(1L, 2L), seqs(q));
    }

    @Test
    void shouldTurnCountersIntoRatesPerWindowAndKeepAMinute() {
        ChannelStats stats = new ChannelStats();
        AtomicLong now = new AtomicLong();
        StatsReporter reporter = new StatsReporter(stats, now::get);
        for (int second = 1; second <= 70; second++) {
            for (int i = 0; i < 30; i++) {
                stats.frame(1000);
                stats.latency(second == 70 && i == 29 ? 900_000 : 3_000);
            }
            stats.drop();
            now.set(second * 1_000_000_000L);
            StatsReporter.Rate r = reporter.sample();
            assertEquals(30_000, r.bytesPerSecond(), 1e-6);
            assertEquals(30, r.framesPerSecond(), 1e-6);
            assertEquals(1, r.dropsPerSecond(), 1e-6);
        }
        assertEquals(StatsReporter.HISTORY, reporter.history().size());
        assertEquals(11_000_000_000L, reporter.history().get(0).atNanos(), "the oldest kept is 60 s back");
        StatsReporter.Rate last = reporter.history().get(StatsReporter.HISTORY - 1);
        assertEquals(3, last.latencyP50Us(), "3 us reads as 3 us (power-of-two buckets said 4)");
        assertEquals(3, last.latencyP99Us(), "one slow frame in 2100 does not move p99");
    }
}
