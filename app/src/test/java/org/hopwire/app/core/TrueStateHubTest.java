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
    private DemoHub fixture;
    private List<Notice> notices;
    private Services services;
    private Hub hub;

    @BeforeEach
    void open() throws Exception {
        fixture = DemoHub.open(dir, questions);
        notices = fixture.notices;
        services = fixture.services;
        hub = fixture.hub;
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private void pair() throws InterruptedException {
        fixture.awaitQuestion(Questions.Kind.PAIRING).answer(SessionHandler.Consent.ALLOW_ONCE);
        Transfers.await(() -> fixture.state() == PeerState.PAIRED, WAIT, "paired");
        Transfers.await(() -> hub.snapshot().peer(DEMO).orElseThrow().device(TestDevices.CAMERA_ID).isPresent(),
                WAIT, "the demo's catalog");
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
        fixture.awaitQuestion(Questions.Kind.CONSENT).answer(SessionHandler.Consent.ALLOW_ONCE);
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
        fixture.awaitQuestion(Questions.Kind.CONSENT).answer(SessionHandler.Consent.ALLOW_ONCE);
        asked.get(20, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().lends().size() == 1, WAIT, "lent");
        Borrow b = hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW, "").get(20, TimeUnit.SECONDS);
        Transfers.await(() -> framesIn(b.channel()) >= 5, WAIT, "pictures in the preview");
        hub.revoke(DEMO, hub.snapshot().lends().get(0).channel()).get(10, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().lends().isEmpty() && demo.borrowing().isEmpty(), WAIT, "revoked");
        long before = framesIn(b.channel());
        Transfers.await(() -> framesIn(b.channel()) >= before + 15, WAIT, "pictures still coming after the revoke");
    }

    @Test
    void shouldShowABorrowStalledWhenItsPicturesStopAndLiveAgainWhenTheyReturn() throws Exception {
        pair();
        Borrow b = hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW, SMALL).get(20, TimeUnit.SECONDS);
        Transfers.await(() -> framesIn(b.channel()) >= 5, WAIT, "pictures in the preview");
        assertFalse(hub.snapshot().borrows().get(0).stalled(), "live while pictures come");
        // The owner stops sending (as a frozen source would); the borrow itself stays.
        hub.session(DEMO).orElseThrow().pause(b.channel(), true);
        Transfers.await(() -> hub.snapshot().borrows().get(0).stalled(), WAIT, "shown stalled");
        Snapshot.Borrowed stalled = hub.snapshot().borrows().get(0);
        assertTrue(stalled.stalledSeconds() >= 2, stalled.toString());
        assertEquals(b.channel(), stalled.channel(), "still the same borrow, not waiting");
        hub.session(DEMO).orElseThrow().pause(b.channel(), false);
        Transfers.await(() -> !hub.snapshot().borrows().get(0).stalled(), WAIT, "live again by itself");
    }

    @Test
    void shouldSayAStalledBorrowWaitsInsteadOnceItsOwnerLeavesTheCable() throws Exception {
        pair();
        Borrow b = hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW, SMALL).get(20, TimeUnit.SECONDS);
        hub.session(DEMO).orElseThrow().pause(b.channel(), true);
        Transfers.await(() -> hub.snapshot().borrows().get(0).stalled(), WAIT, "shown stalled");
        services.demo().orElseThrow().unplug();
        Transfers.await(() -> hub.snapshot().borrows().get(0).waiting(), WAIT, "waiting, no longer stalled");
        assertFalse(hub.snapshot().borrows().get(0).stalled(), "a waiting borrow is not said stalled");
    }

    @Test
    void shouldGiveUpOldBorrowsWithANoticeAfterForgetAndNotWaitBesideAPairedCard() throws Exception {
        pair();
        hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW, SMALL).get(20, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().borrows().size() == 1, WAIT, "borrowed");
        hub.forget(DEMO).get(10, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().borrows().isEmpty(), WAIT, "the borrow is given up");
        assertTrue(notices.stream().anyMatch(n -> n.text().equals("Test camera (test pattern) from "
                + Fabrics.DEMO_PEER_NAME + " is no longer borrowed: the pairing was forgotten. Borrow it again once"
                + " paired.")), notices.toString());
        pair();
        Thread.sleep(1500);
        assertTrue(hub.snapshot().borrows().isEmpty(), "nothing waits beside a paired card: "
                + hub.snapshot().borrows());
        Transfers.await(() -> services.demo().orElseThrow().lending().isEmpty(), WAIT, "the demo lends nothing");
    }

    @Test
    void shouldRefuseADeviceAlreadyLentToTheAskingPeerWithoutAskingAgain() throws Exception {
        pair();
        List<Questions.Question> asked = new CopyOnWriteArrayList<>();
        questions.onQuestion(asked::add);
        DemoPeer demo = services.demo().orElseThrow();
        var first = demo.askFor(TestDevices.CAMERA_ID);
        fixture.awaitQuestion(Questions.Kind.CONSENT).answer(SessionHandler.Consent.ALLOW_ONCE);
        first.get(20, TimeUnit.SECONDS);
        // The demo's own link asks once per device and session (PeerLinkTest); a peer that asks again all the same:
        var again = demo.askAsAnOlderPeer(TestDevices.CAMERA_ID);
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> again.get(20, TimeUnit.SECONDS));
        assertEquals(Optional.of(org.hopwire.engine.protocol.ProtocolError.DEVICE_BUSY),
                ((org.hopwire.engine.session.ConsentDeniedException) e.getCause()).ownerError());
        assertEquals(1, asked.size(), "one question: " + asked);
        assertEquals(1, hub.snapshot().lends().size(), "the first lend goes on");
    }

    @Test
    void shouldNeverSayAlreadyLentAfterADenyNorAskTwiceAtOnce() throws Exception {
        pair();
        List<Questions.Question> asked = new CopyOnWriteArrayList<>();
        questions.onQuestion(asked::add);
        DemoPeer demo = services.demo().orElseThrow();
        var first = demo.askFor(TestDevices.CAMERA_ID);
        Questions.Question q = fixture.awaitQuestion(Questions.Kind.CONSENT);
        // A second ask while the first is open gets the first one's answer from the demo's own link; a peer that
        // asks again all the same is refused at once, and the person is still asked once.
        var sameAsk = demo.askFor(TestDevices.CAMERA_ID);
        var second = demo.askAsAnOlderPeer(TestDevices.CAMERA_ID);
        var secondRefused = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> second.get(20, TimeUnit.SECONDS));
        assertTrue(secondRefused.getCause() instanceof org.hopwire.engine.session.ConsentDeniedException);
        q.answer(SessionHandler.Consent.DENY);
        var denied = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> first.get(20, TimeUnit.SECONDS));
        assertEquals(Optional.empty(), ((org.hopwire.engine.session.ConsentDeniedException) denied.getCause())
                .ownerError(), "a person's no carries no owner's error");
        var sameDenied = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> sameAsk.get(20, TimeUnit.SECONDS));
        assertEquals(Optional.empty(), ((org.hopwire.engine.session.ConsentDeniedException) sameDenied.getCause())
                .ownerError(), "the link's second ask has the first one's answer");
        assertEquals(1, asked.size(), "one question for two requests: " + asked);
        assertTrue(notices.stream().noneMatch(n -> n.text().contains("already")), notices.toString());
        assertTrue(notices.stream().anyMatch(n -> n.text().equals("Did not lend Test camera (test pattern) to "
                + Fabrics.DEMO_PEER_NAME + ".")), notices.toString());
    }

    @Test
    void shouldLendAgainWithoutAQuestionAfterAReplugWhenThisHostAllowedAlways() throws Exception {
        pair();
        List<Questions.Question> asked = new CopyOnWriteArrayList<>();
        questions.onQuestion(asked::add);
        DemoPeer demo = services.demo().orElseThrow();
        var first = demo.askFor(TestDevices.CAMERA_ID);
        fixture.awaitQuestion(Questions.Kind.CONSENT).answer(SessionHandler.Consent.ALLOW_ALWAYS);
        first.get(20, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().lends().size() == 1, WAIT, "lent");
        demo.unplug();
        Transfers.await(() -> fixture.state() == PeerState.OFFLINE && hub.snapshot().lends().isEmpty(), WAIT, "offline");
        demo.plug();
        Transfers.await(() -> fixture.state() == PeerState.PAIRED, WAIT, "paired again");
        Transfers.await(() -> hub.snapshot().lends().size() == 1 && demo.borrowing().size() == 1, WAIT,
                "lent again after the replug");
        assertEquals(1, asked.size(), "asked once, before the replug: " + asked);
    }

    @Test
    void shouldBorrowAgainWithoutAQuestionAfterAReplugWhenTheOwnerAllowedAlways() throws Exception {
        DemoPeer demo = services.demo().orElseThrow();
        demo.allowAlways(true);
        pair();
        hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW, SMALL).get(20, TimeUnit.SECONDS);
        assertEquals(1, demo.consentQuestions());
        demo.unplug();
        Transfers.await(() -> hub.snapshot().borrows().stream().allMatch(Snapshot.Borrowed::waiting), WAIT,
                "waiting while unplugged");
        demo.plug();
        Transfers.await(() -> hub.snapshot().borrows().size() == 1 && !hub.snapshot().borrows().get(0).waiting(),
                WAIT, "borrowed again after the replug");
        int channel = hub.snapshot().borrows().get(0).channel();
        Transfers.await(() -> framesIn(channel) >= 3, WAIT, "pictures again");
        assertEquals(1, demo.consentQuestions(), "the owner's person was not asked again");
    }

    @Test
    void shouldAskOneQuestionForTwoIdenticalOpenOnes() {
        UUID peer = UUID.randomUUID();
        var a = questions.askConsent("Demo laptop", peer, "Test camera");
        var b = questions.askConsent("Demo laptop", peer, "Test camera");
        assertEquals(1, questions.open().size());
        questions.open().get(0).answer(SessionHandler.Consent.ALLOW_ONCE);
        assertEquals(SessionHandler.Consent.ALLOW_ONCE, a.toCompletableFuture().join());
        assertEquals(SessionHandler.Consent.ALLOW_ONCE, b.toCompletableFuture().join());
        questions.askConsent("Demo laptop", peer, "Test camera");
        assertEquals(1, questions.open().size(), "a new question once the first is answered");
    }
}
