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
import org.hopwire.engine.protocol.FrameSeal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer may become ready a moment before this host does and send its catalog at once: that catalog must reach the
 * app, not be refused as coming from an unpaired peer. (Since protocol 3 a new pairing is followed by the
 * challenge and response, and each host's answer precedes what it says next, so nothing needs keeping.)
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
            CompletableFuture<Boolean> person = new CompletableFuture<>();
            pair.startA();
            pair.ha.confirmLater = person;
            try (HostilePeer b = new HostilePeer(pair, pair.storeB, FrameSeal.Protection.ENCRYPTED)) {
                Transfers.await(() -> !pair.ha.codes.isEmpty(), Duration.ofSeconds(5), "the code shown on A");
                Thread.sleep(200);
                assertNull(pair.ha.catalogs.poll(), "nothing reaches the app before this host is paired");
                // B's person confirmed long ago; A's answers now. B is proven a moment before A, and speaks at once.
                person.complete(true);
                b.awaitReady();
                ControlMessage.Catalog catalog = new ControlMessage.Catalog(List.of(new ControlMessage.Device("cam9",
                        ControlMessage.Device.VIDEO, "Camera nine", List.of())));
                b.send(catalog);
                ControlMessage.Catalog seen = pair.ha.catalogs.poll(5, TimeUnit.SECONDS);
                assertNotNull(seen, "the catalog is delivered");
                assertEquals("cam9", seen.devices().get(0).id());
                assertTrue(pair.ha.peerErrors.isEmpty(), "no NOT_ALLOWED for the catalog: " + pair.ha.peerErrors);
                assertEquals(PeerSession.State.READY, pair.a.state());
            }
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
