package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.hopwire.engine.protocol.MediaFrame;
import org.junit.jupiter.api.Test;

/** The renegotiation gate, fed made-up frames: no streams, no threads. */
class CapsGateTest {
    private static MediaFrame frame(int channel, long sequence, int capsVersion) {
        return new MediaFrame(channel, sequence, sequence, -1, -1, 0, ByteBuffer.allocate(1)).capsVersion(capsVersion);
    }

    @Test
    void shouldHoldFramesForANewerCapsAndHandThemOnInOrderWhenItArrives() {
        CapsGate gate = new CapsGate();
        gate.reset(3, 1, f -> { });
        List<Long> recycled = new ArrayList<>();
        assertTrue(gate.hold(frame(3, 10, 2), f -> recycled.add(f.sequence())));
        assertTrue(gate.hold(frame(3, 11, 2), f -> recycled.add(f.sequence())));
        assertTrue(gate.hold(frame(5, 1, 2), f -> recycled.add(f.sequence())));

        List<Long> delivered = new ArrayList<>();
        gate.version[3] = 2;
        gate.release(3, f -> delivered.add(f.sequence()), f -> recycled.add(f.sequence()));
        assertEquals(List.of(10L, 11L), delivered);
        assertEquals(List.of(), recycled);
        assertEquals(1, gate.held.size(), "another channel's frame still waits for its own CAPS");
    }

    @Test
    void shouldDropHeldFramesThatALaterCapsOvertook() {
        CapsGate gate = new CapsGate();
        gate.reset(0, 1, f -> { });
        gate.hold(frame(0, 1, 2), f -> { });
        gate.hold(frame(0, 2, 3), f -> { });
        gate.version[0] = 3;
        List<Long> delivered = new ArrayList<>();
        List<Long> recycled = new ArrayList<>();
        gate.release(0, f -> delivered.add(f.sequence()), f -> recycled.add(f.sequence()));
        assertEquals(List.of(2L), delivered);
        assertEquals(List.of(1L), recycled, "a frame for version 2 is no use once version 3 is in force");
    }

    @Test
    void shouldBoundTheFramesItHoldsPerChannel() {
        CapsGate gate = new CapsGate();
        List<Long> recycled = new ArrayList<>();
        for (int i = 0; i < CapsGate.MAX_HELD; i++) {
            assertTrue(gate.hold(frame(1, i, 9), f -> recycled.add(f.sequence())));
        }
        assertFalse(gate.hold(frame(1, 99, 9), f -> recycled.add(f.sequence())));
        assertEquals(List.of(0L), recycled, "the oldest gives way");
        assertEquals(CapsGate.MAX_HELD, gate.held.size());
        gate.reset(1, 1, f -> recycled.add(f.sequence()));
        assertEquals(0, gate.held.size(), "a new use of the channel forgets what waited");
        assertEquals(CapsGate.MAX_HELD + 1, recycled.size());
    }
}
