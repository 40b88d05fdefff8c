package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.protocol.ControlCodec;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.DecoderFuzzAccess;
import org.hopwire.engine.protocol.WireWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A live session fed mutated control streams: it keeps running or ends with a typed reason, and no thread dies. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SessionFuzzTest {
    @TempDir
    Path dir;

    @Test
    void shouldEndWithATypedReasonOrCarryOnWhateverTheControlStreamSays() throws Exception {
        List<Throwable> escaped = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> escaped.add(e));
        Random r = new Random(17);
        int ended = 0;
        try (SessionPair pair = new SessionPair(dir)) {
            for (int i = 0; i < 60; i++) {
                StreamChannel[] raw = pair.openRawB();
                StreamChannel control = raw[0];
                StreamChannel data = raw[1];
                PeerSession a = pair.startA();
                Recorder h = pair.ha;
                WireWriter w = new WireWriter(1024);
                ControlCodec.encode(new ControlMessage.Hello(PeerSession.PROTOCOL_MAJOR, 0, pair.bed.hostB().uuid(), "fuzz", "0", 1), w);
                ControlCodec.encode(new ControlMessage.PairStart(new byte[32], new byte[32]), w);
                ControlCodec.encode(new ControlMessage.Heartbeat(1, 2), w);
                ControlCodec.encode(new ControlMessage.BorrowRequest(1, "cam0", ""), w);
                ControlCodec.encode(new ControlMessage.FormatRequest(2, 0, "image/jpeg,width=640"), w);
                ControlCodec.encode(new ControlMessage.ControlSet(0, 2, "brightness", 5), w);
                ControlCodec.encode(new ControlMessage.Goodbye(1), w);
                ByteBuffer valid = w.toBuffer();
                byte[] bytes = new byte[valid.remaining()];
                valid.get(bytes);
                try {
                    control.writeFully(ByteBuffer.wrap(DecoderFuzzAccess.mutate(bytes, r)));
                } catch (java.io.IOException e) {
                    throw new AssertionError("round " + i + ": " + h.closed.getNow(null) + " states " + h.states, e);
                }
                control.close();
                data.close();
                SessionEnd end = h.closed.get(10, TimeUnit.SECONDS);
                assertTrue(end.reason() != null && !end.message().isEmpty(), "a typed ending with words: " + end);
                assertTrue(a.awaitThreads(Duration.ofSeconds(5)), "the session's threads end");
                ended++;
                // Fresh streams for the next round, as the app makes for each session. Wait out the announce delay
                // first: a follower that re-creates a name while the peer's old announcement is still the last one
                // it received inherits the old HopIDs (the driver behaves the same; see docs/protocol.md, 1).
                pair.pa.close();
                pair.pb.close();
                Thread.sleep(60);
                pair.pairStreams();
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
        assertTrue(escaped.isEmpty(), "exceptions escaped session threads: " + escaped);
        assertTrue(ended == 60);
    }
}
