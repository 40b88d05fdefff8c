package org.hopwire.engine.fabric.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.Usb4Stream;
import org.junit.jupiter.api.Test;

/** How a reader waits for packets on a throttled cable: for a run sent back to back, not for each in turn. */
class PipeTest {
    /** 50 MiB/s: a 4 KiB packet takes 78 us on the wire, 256 KiB 5 ms. */
    private static final CableProfile SLOW = new CableProfile(50L << 20, 0, 20, 2);
    private static final int PACKET = Usb4Stream.MAX_PACKET_BYTES;

    private static final Pipe.Guard OPEN = new Pipe.Guard() {
        @Override
        public void check() {
        }

        @Override
        public IOException linkDown(String reason) {
            return new IOException(reason);
        }

        @Override
        public boolean hung() {
            return false;
        }

        @Override
        public boolean removed() {
            return false;
        }

        @Override
        public void beforeWaiting() {
        }
    };

    private static Pipe openPipe(LinkSchedule schedule) {
        Pipe p = new Pipe(schedule, 256, EmulatedWorld.EarlyData.HELD);
        p.writerOpened(256);
        p.readerOpened(256);
        return p;
    }

    @Test
    void shouldWaitForTheLastPacketOfARunSentBackToBackThatTheReaderHasRoomFor() throws Exception {
        LinkSchedule schedule = new LinkSchedule(SLOW);
        Pipe p = openPipe(schedule);
        assertEquals(-1, p.runArrival(1 << 20), "nothing queued");
        p.write(ByteBuffer.wrap(new byte[64 * PACKET]), OPEN);
        // A reader with room for one packet waits for the head only.
        long head = p.runArrival(PACKET);
        assertTrue(head > System.nanoTime() - 1_000_000 && p.nanosUntilArrival() <= schedule.wireNs(PACKET));
        // The 64 packets land one wire time apart (give or take the schedule's rounding): the run ends 63 after it.
        assertEquals(schedule.wireNs(63L * PACKET), p.runArrival(1 << 20) - head, 100.0);
        // Room for two packets: the second.
        assertEquals(schedule.wireNs(PACKET), p.runArrival(2 * PACKET) - head, 100.0);
    }

    @Test
    void shouldEndARunWhereTheWireWasIdle() throws Exception {
        LinkSchedule schedule = new LinkSchedule(SLOW);
        Pipe p = openPipe(schedule);
        p.write(ByteBuffer.wrap(new byte[4 * PACKET]), OPEN);
        long first = p.runArrival(1 << 20);
        // Once the four packets are off the wire (312 us), it is idle: the next write starts a run of its own.
        long idle = first + TimeUnit.MILLISECONDS.toNanos(1);
        while (System.nanoTime() < idle) {
            Thread.onSpinWait();
        }
        p.write(ByteBuffer.wrap(new byte[4 * PACKET]), OPEN);
        assertEquals(first, p.runArrival(1 << 20), "the first run's end, not the second's");
        // Written while the wire still carries the first (for 5 ms), a second write is booked right after it: one run.
        Pipe q = openPipe(new LinkSchedule(SLOW));
        q.write(ByteBuffer.wrap(new byte[64 * PACKET]), OPEN);
        q.write(ByteBuffer.wrap(new byte[4 * PACKET]), OPEN);
        long qHead = q.runArrival(PACKET);
        assertEquals(schedule.wireNs(67L * PACKET), q.runArrival(1 << 20) - qHead, 100.0, "one run of 68");
    }

    @Test
    void shouldReadTheWholeRunAtOnceAfterItLanded() throws Exception {
        Pipe p = openPipe(new LinkSchedule(SLOW));
        for (int i = 0; i < 50; i++) { // the read path's code loaded and compiled before the timed read
            p.write(ByteBuffer.wrap(new byte[100]), OPEN);
            p.read(ByteBuffer.allocate(100), OPEN);
        }
        byte[] sent = new byte[Pipe.MAX_RUN_BYTES];
        new java.util.Random(7).nextBytes(sent);
        p.write(ByteBuffer.wrap(sent), OPEN);
        ByteBuffer got = ByteBuffer.allocate(1 << 20);
        long until = p.runArrival(Pipe.MAX_RUN_BYTES);
        int n = p.read(got, OPEN);
        assertTrue(System.nanoTime() >= until, "not before the run's last packet landed");
        assertEquals(sent.length, n, "the run in one read");
        assertEquals(ByteBuffer.wrap(sent), got.flip());
    }
}
