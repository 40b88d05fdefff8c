package org.hopwire.app.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the hub says is true: stalled borrows, borrows after Forget, consent asked once, "always" after a replug. */
class TrueStateHubTest {
    private static final UUID DEMO = DemoFabric.DEMO_PEER_UUID;
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String SMALL = HubTest.SMALL;

    @TempDir
    Path dir;
    private final Questions questions = new Questions();
    private final List<Notice> notices = new CopyOnWriteArrayList<>();
    private Services services;
    private Hub hub;

    @BeforeEach
    void open() throws Exception {
        services = Services.open(dir, Optional.of(Fabrics.Choice.EMULATED), "desk", questions);
        hub = services.hub();
        hub.addListener(new Hub.Listener() {
            @Override
            public void notice(Notice n) {
                notices.add(n);
            }
        });
    }

    @AfterEach
    void close() {
        services.close();
    }

    private Questions.Question awaitQuestion(Questions.Kind kind) throws InterruptedException {
        Transfers.await(() -> questions.first(kind).isPresent(), WAIT, kind + " question");
        return questions.first(kind).orElseThrow();
    }

    private void pair() throws InterruptedException {
        awaitQuestion(Questions.Kind.PAIRING).answer(SessionHandler.Consent.ALLOW_ONCE);
        Transfers.await(() -> state() == PeerState.PAIRED, WAIT, "paired");
        Transfers.await(() -> hub.snapshot().peer(DEMO).orElseThrow().device(TestDevices.CAMERA_ID).isPresent(),
                WAIT, "the demo's catalog");
    }

    private PeerState state() {
        return hub.snapshot().peer(DEMO).map(Snapshot.Peer::state).orElse(null);
    }

    private long framesIn(int channel) {
        return hub.playback(DEMO, channel).map(p -> p.preview().offered()).orElse(-1L);
    }

    @Test
    void shouldKeepPlayingABorrowedCameraWhenThisHostRevokesItsOwnLendToTheSamePeer() throws Exception {
        pair();
        Borrow b = hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW, SMALL).get(20, TimeUnit.SECONDS);
        Transfers.await(() -> framesIn(b.channel()) >= 5, WAIT, "pictures in the preview");
        DemoPeer demo = services.demo().orElseThrow();
        var asked = demo.askFor(TestDevices.CAMERA_ID);
        awaitQuestion(Questions.Kind.CONSENT).answer(SessionHandler.Consent.ALLOW_ONCE);
        asked.get(20, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().lends().size() == 1, WAIT, "lent");
        hub.revoke(DEMO, hub.snapshot().lends().get(0).channel()).get(10, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().lends().isEmpty() && demo.borrowing().isEmpty(), WAIT, "revoked");
        long before = framesIn(b.channel());
        Transfers.await(() -> framesIn(b.channel()) >= before + 15, WAIT, "pictures still coming after the revoke");
        Thread.sleep(2500);
        assertFalse(hub.snapshot().borrows().get(0).stalled(), hub.snapshot().borrows().toString());
    }

    @Test
    void shouldKeepPlayingABorrowedCameraWhenTheLendToTheSamePeerStartedFirstAndIsRevoked() throws Exception {
        pair();
        DemoPeer demo = services.demo().orElseThrow();
        var asked = demo.askFor(TestDevices.CAMERA_ID);
        awaitQuestion(Questions.Kind.CONSENT).answer(SessionHandler.Consent.ALLOW_ONCE);
        asked.get(20, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().lends().size() == 1, WAIT, "lent");
        Borrow b = hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW, "").get(20, TimeUnit.SECONDS);
        Transfers.await(() -> framesIn(b.channel()) >= 5, WAIT, "pictures in the preview");
        hub.revoke(DEMO, hub.snapshot().lends().get(0).channel()).get(10, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().lends().isEmpty() && demo.borrowing().isEmpty(), WAIT, "revoked");
        long before = framesIn(b.channel());
        Transfers.await(() -> framesIn(b.channel()) >= before + 15, WAIT, "pictures still coming after the revoke");
    }
}
