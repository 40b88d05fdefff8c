package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.protocol.ControlCodec;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.WireWriter;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.engine.trust.PairingCrypto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer may become ready a moment before this host does (it read this host's PAIR_CONFIRM while this host was
 * still saving the pairing) and send its catalog at once: that catalog must be kept until this host is ready, not
 * refused as coming from an unpaired peer.
 */
class EarlyMessagesTest {
    @TempDir
    Path dir;

    private static void send(StreamChannel control, ControlMessage... messages) throws Exception {
        WireWriter w = new WireWriter(1024);
        for (ControlMessage m : messages) {
            ControlCodec.encode(m, w);
        }
        control.writeFully(w.toBuffer());
    }

    @Test
    void shouldKeepTheCatalogOfAPeerThatBecameReadyFirst() throws Exception {
        try (SessionPair pair = new SessionPair(dir)) {
            StreamChannel[] raw = pair.openRawB();
            pair.startA();
            CompletableFuture<Boolean> person = new CompletableFuture<>();
            pair.ha.confirmLater = person;
            PairingCrypto.Ephemeral mine = PairingCrypto.newEphemeral(new SecureRandom());
            send(raw[0], new ControlMessage.Hello(PeerSession.PROTOCOL_MAJOR, 0, pair.bed.hostB().uuid(), "beta", "test", 1),
                    new ControlMessage.PairStart(mine.nonce(), mine.publicKey()));
            Transfers.await(() -> !pair.ha.codes.isEmpty(), Duration.ofSeconds(5), "the code shown on A");

            // B's person confirmed, B became ready and sent its catalog, all before A's person answered.
            ControlMessage.Catalog catalog = new ControlMessage.Catalog(List.of(new ControlMessage.Device("cam9",
                    ControlMessage.Device.VIDEO, "Camera nine", List.of())));
            send(raw[0], new ControlMessage.PairConfirm(), catalog);
            Thread.sleep(200);
            assertNull(pair.ha.catalogs.poll(), "nothing reaches the app before this host is paired");

            person.complete(true);
            ControlMessage.Catalog seen = pair.ha.catalogs.poll(5, TimeUnit.SECONDS);
            assertNotNull(seen, "the early catalog is delivered once this host is ready");
            assertEquals("cam9", seen.devices().get(0).id());
            assertTrue(pair.ha.peerErrors.isEmpty(), "no NOT_ALLOWED for the early catalog: " + pair.ha.peerErrors);
            assertEquals(PeerSession.State.READY, pair.a.state());
            raw[0].close();
            raw[1].close();
        }
    }

    @Test
    void shouldStillRefuseReadyMessagesFromAPeerThatNeverPairs() throws Exception {
        try (SessionPair pair = new SessionPair(dir)) {
            StreamChannel[] raw = pair.openRawB();
            pair.startA();
            pair.ha.confirmLater = new CompletableFuture<>();
            send(raw[0], new ControlMessage.Hello(PeerSession.PROTOCOL_MAJOR, 0, pair.bed.hostB().uuid(), "beta", "test", 1),
                    new ControlMessage.BorrowRequest(1, "cam0", ""), new ControlMessage.Goodbye(1));
            SessionEnd end = pair.ha.closed.get(5, TimeUnit.SECONDS);
            assertNotNull(end);
            assertEquals(0, pair.ha.consentAsked.get(), "an unpaired peer's request never reaches the person");
            raw[0].close();
            raw[1].close();
        }
    }
}
