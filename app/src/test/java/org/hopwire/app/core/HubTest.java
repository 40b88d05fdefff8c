package org.hopwire.app.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.ConsentDeniedException;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub as a plain object on the emulated demo: pairing, borrowing, lending, consent, the cable pulled. */
class HubTest {
    private static final UUID DEMO = DemoFabric.DEMO_PEER_UUID;
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Small pictures: these tests are about the flows, and run both hosts on two cores. */
    static final String SMALL = "video/x-raw,width=320,height=240,framerate=30/1";

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
        Questions.Question q = fixture.awaitQuestion(Questions.Kind.PAIRING);
        Transfers.await(() -> hub.snapshot().peer(DEMO).flatMap(Snapshot.Peer::pairingCode).isPresent(), WAIT,
                "code on the card");
        assertEquals(q.subject(), hub.snapshot().peer(DEMO).orElseThrow().pairingCode().orElseThrow(),
                "the card shows the code the question asks about");
        q.answer(SessionHandler.Consent.ALLOW_ONCE);
        Transfers.await(() -> fixture.state() == PeerState.PAIRED, WAIT, "paired");
        Transfers.await(() -> hub.snapshot().peer(DEMO).orElseThrow().device(TestDevices.CAMERA_ID).isPresent(),
                WAIT, "the demo's catalog");
    }

    @Test
    void shouldShowTheDemoLaptopAsAnEmulatedPeerOfferingTestDevicesOncePaired() throws Exception {
        Transfers.await(() -> hub.snapshot().peer(DEMO).isPresent(), WAIT, "demo peer seen");
        Snapshot.Peer p = hub.snapshot().peer(DEMO).orElseThrow();
        assertEquals(Fabrics.DEMO_PEER_NAME, p.name());
        assertTrue(p.emulated());
        assertTrue(p.devices().isEmpty(), "nothing offered before pairing");
        assertTrue(hub.whyNotBorrow(DEMO, TestDevices.CAMERA_ID).isPresent(), "nothing to borrow before pairing");
        pair();
        Transfers.await(() -> hub.snapshot().peer(DEMO).orElseThrow().device(TestDevices.CAMERA_ID).isPresent(),
                WAIT, "catalog");
        assertTrue(hub.snapshot().peer(DEMO).orElseThrow().device(TestDevices.CAMERA_ID).orElseThrow().test());
        assertEquals(20, hub.snapshot().peer(DEMO).orElseThrow().speedGbps());
    }

    @Test
    void shouldBorrowTheDemoCameraIntoAPreviewAndGiveItBack() throws Exception {
        pair();
        Transfers.await(() -> hub.whyNotBorrow(DEMO, TestDevices.CAMERA_ID).isEmpty(), WAIT, "borrowable");
        Borrow b = hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW, SMALL).get(20, TimeUnit.SECONDS);
        Transfers.await(() -> hub.playback(DEMO, b.channel()).isPresent(), WAIT, "playback");
        Playback playback = hub.playback(DEMO, b.channel()).orElseThrow();
        Transfers.await(() -> playback.preview().offered() >= 5, WAIT, "pictures in the preview");
        Transfers.await(() -> hub.snapshot().borrows().size() == 1, WAIT, "borrow listed");
        assertTrue(hub.whyNotBorrow(DEMO, TestDevices.CAMERA_ID).orElseThrow().contains("already borrows"));
        Transfers.await(() -> hub.snapshot().peer(DEMO).orElseThrow().link().receivedBytesPerSecond().stream()
                .anyMatch(v -> v > 0), WAIT, "throughput on the link panel");
        hub.giveBack(DEMO, TestDevices.CAMERA_ID).get(10, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().borrows().isEmpty(), WAIT, "borrow gone");
        Transfers.await(() -> services.demo().orElseThrow().lending().isEmpty(), WAIT, "demo stopped lending");
    }

    @Test
    void shouldAskTheOwnerAndLendNothingWhenDeniedThenLendAndRevoke() throws Exception {
        pair();
        DemoPeer demo = services.demo().orElseThrow();
        var denied = demo.askFor(TestDevices.CAMERA_ID);
        Questions.Question q = fixture.awaitQuestion(Questions.Kind.CONSENT);
        assertEquals(Fabrics.DEMO_PEER_NAME + " wants to use Test camera (test pattern)", q.text());
        q.answer(SessionHandler.Consent.DENY);
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                denied::join);
        assertInstanceOf(ConsentDeniedException.class, e.getCause());
        assertTrue(hub.snapshot().lends().isEmpty());

        var allowed = demo.askFor(TestDevices.CAMERA_ID);
        fixture.awaitQuestion(Questions.Kind.CONSENT).answer(SessionHandler.Consent.ALLOW_ONCE);
        allowed.get(20, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().lends().size() == 1, WAIT, "lend listed");
        Snapshot.Lend lend = hub.snapshot().lends().get(0);
        assertEquals(Fabrics.DEMO_PEER_NAME, lend.peerName());
        hub.revoke(DEMO, lend.channel()).get(10, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().lends().isEmpty() && demo.borrowing().isEmpty(), WAIT, "revoked");
    }

    @Test
    void shouldLendWhatIsOfferedAndExplainAnOfferThatCannotWork() throws Exception {
        assertTrue(hub.whyNotOffer(UUID.randomUUID(), TestDevices.CAMERA_ID).isPresent());
        pair();
        assertTrue(hub.whyNotOffer(DEMO, "v4l2:/dev/video9").orElseThrow().contains("no longer on this host"));
        hub.offer(DEMO, TestDevices.CAMERA_ID).get(10, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().lends().size() == 1, WAIT, "offer taken");
        assertTrue(hub.whyNotOffer(DEMO, TestDevices.CAMERA_ID).orElseThrow().contains("already lent"));
    }

    @Test
    void shouldTellListenersWhichOfferThePeerDeclinedAndLendNothing() throws Exception {
        List<String> declined = new CopyOnWriteArrayList<>();
        hub.addListener(new Hub.Listener() {
            @Override
            public void offerDeclined(UUID peer, String deviceId) {
                declined.add(peer + " " + deviceId);
            }
        });
        pair();
        services.demo().orElseThrow().acceptOffers(false);
        hub.offer(DEMO, TestDevices.CAMERA_ID).get(10, TimeUnit.SECONDS);
        Transfers.await(() -> !declined.isEmpty(), WAIT, "the decline");
        assertEquals(List.of(DEMO + " " + TestDevices.CAMERA_ID), declined);
        assertTrue(hub.snapshot().lends().isEmpty(), "nothing lent");
        assertTrue(notices.stream().anyMatch(n -> n.text().equals(Fabrics.DEMO_PEER_NAME
                + " declined Test camera (test pattern).")), "the window's notice is unchanged: " + notices);
    }

    @Test
    void shouldEndTheSessionWhenThisHostRejectsThePairingAndPairAgainOnRequest() throws Exception {
        fixture.awaitQuestion(Questions.Kind.PAIRING).answer(SessionHandler.Consent.DENY);
        Transfers.await(() -> fixture.state() == PeerState.NOT_PAIRED, WAIT, "not paired");
        assertTrue(hub.snapshot().peer(DEMO).orElseThrow().detail().contains("reject"),
                hub.snapshot().peer(DEMO).orElseThrow().detail());
        assertTrue(hub.whyNotOffer(DEMO, TestDevices.CAMERA_ID).orElseThrow().contains("Pair again"));
        hub.reconnect(DEMO).get(10, TimeUnit.SECONDS);
        pair();
    }

    @Test
    void shouldShowOfflineWhenTheCableIsPulledAndBorrowAgainWhenItIsBack() throws Exception {
        pair();
        Borrow b = hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW, SMALL).get(20, TimeUnit.SECONDS);
        DemoPeer demo = services.demo().orElseThrow();
        demo.unplug();
        Transfers.await(() -> fixture.state() == PeerState.OFFLINE, WAIT, "offline");
        try {
            Transfers.await(() -> hub.snapshot().borrows().stream().allMatch(Snapshot.Borrowed::waiting), WAIT,
                    "borrow waits");
        } catch (AssertionError e) {
            StringBuilder dump = new StringBuilder(hub.snapshot().borrows().toString());
            Thread.getAllStackTraces().forEach((t, st) -> {
                dump.append("\n").append(t.getName()).append(' ').append(t.getState());
                for (StackTraceElement el : st) {
                    dump.append("\n    ").append(el);
                }
            });
            throw new AssertionError(e.getMessage() + "\n" + dump, e);
        }
        assertEquals(1, hub.snapshot().borrows().size(), "the borrow is still wanted");
        assertTrue(notices.stream().anyMatch(n -> n.text().contains("left the cable")), notices.toString());
        demo.plug();
        Transfers.await(() -> fixture.state() == PeerState.PAIRED, WAIT, "paired again without a new code");
        Transfers.await(() -> hub.snapshot().borrows().size() == 1 && !hub.snapshot().borrows().get(0).waiting(),
                WAIT, "borrowed again");
        int channel = hub.snapshot().borrows().get(0).channel();
        Transfers.await(() -> hub.playback(DEMO, channel).map(p -> p.preview().offered() >= 3).orElse(false), WAIT,
                "pictures again");
        assertFalse(b == null);
    }

    @Test
    void shouldRecordABorrowedCameraToTheFileChosenAndFinishItOnReturn() throws Exception {
        pair();
        java.nio.file.Path file = dir.resolve("camera.mkv");
        Borrow b = hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW.withRecording(file), SMALL)
                .get(20, TimeUnit.SECONDS);
        Transfers.await(() -> hub.playback(DEMO, b.channel()).map(p -> p.preview().offered() >= 30).orElse(false),
                WAIT, "a second of pictures");
        assertTrue(hub.snapshot().borrows().get(0).outputs().contains("recording to " + file),
                hub.snapshot().borrows().toString());
        hub.giveBack(DEMO, TestDevices.CAMERA_ID).get(10, TimeUnit.SECONDS);
        assertTrue(java.nio.file.Files.size(file) > 10_000, "a Matroska file with the pictures in it");
        byte[] head = java.util.Arrays.copyOf(java.nio.file.Files.readAllBytes(file), 4);
        assertEquals("1a45dfa3", java.util.HexFormat.of().formatHex(head), "an EBML (Matroska) header");
    }

    @Test
    void shouldLendInTheFormatChosenInSettingsAndRememberAlways() throws Exception {
        pair();
        services.settings().update(x -> x.withFormatPolicy(org.hopwire.gst.format.FormatPolicy.MJPEG));
        DemoPeer demo = services.demo().orElseThrow();
        var first = demo.askFor(TestDevices.CAMERA_ID);
        fixture.awaitQuestion(Questions.Kind.CONSENT).answer(SessionHandler.Consent.ALLOW_ALWAYS);
        first.get(20, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().lends().size() == 1, WAIT, "lent");
        assertTrue(hub.snapshot().lends().get(0).format().startsWith("MJPEG"), hub.snapshot().lends().toString());
        demo.giveBackAll();
        Transfers.await(() -> hub.snapshot().lends().isEmpty(), WAIT, "given back");
        // "Always": the next request passes without a question.
        demo.askFor(TestDevices.CAMERA_ID).get(20, TimeUnit.SECONDS);
        assertTrue(questions.first(Questions.Kind.CONSENT).isEmpty(), "not asked again");
        Transfers.await(() -> hub.snapshot().lends().size() == 1, WAIT, "lent again");
    }

    @Test
    void shouldBorrowInTheRememberedFormatAndChangeItLiveWithoutReturningTheDevice() throws Exception {
        pair();
        Transfers.await(() -> hub.whyNotBorrow(DEMO, TestDevices.CAMERA_ID).isEmpty(), WAIT, "borrowable");
        var options = hub.formatOptions(DEMO, TestDevices.CAMERA_ID);
        assertFalse(options.isEmpty(), "the demo camera's sizes, rates and encodings");
        assertTrue(options.stream().anyMatch(o -> o.reason().startsWith("raw: fits, 187 MB/s of ")),
                options.toString());
        String mjpeg = "image/jpeg,width=320,height=240,framerate=30/1";
        services.settings().update(x -> x.withDeviceFormat(DEMO, TestDevices.CAMERA_ID, mjpeg));
        // Neither drag nor Borrow names a format: the remembered one is asked for.
        Borrow b = hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW, "").get(20, TimeUnit.SECONDS);
        assertTrue(b.caps().startsWith("image/jpeg"), b.caps());
        Transfers.await(() -> hub.playback(DEMO, b.channel()).isPresent(), WAIT, "playback");
        Playback playback = hub.playback(DEMO, b.channel()).orElseThrow();

        Borrow raw = hub.changeFormat(DEMO, TestDevices.CAMERA_ID, SMALL).get(20, TimeUnit.SECONDS);
        assertTrue(raw.caps().startsWith("video/x-raw"), raw.caps());
        assertEquals(b.channel(), raw.channel(), "the same borrow, not a new one");
        Transfers.await(() -> playback.caps().startsWith("video/x-raw"), WAIT, "the preview follows");
        long shown = playback.preview().offered();
        Transfers.await(() -> playback.preview().offered() >= shown + 5, WAIT, "pictures in the new format");
        Transfers.await(() -> hub.snapshot().borrows().stream().anyMatch(x -> x.caps().startsWith("video/x-raw")),
                WAIT, "the borrow's row shows the new format");

        var refused = hub.changeFormat(DEMO, TestDevices.CAMERA_ID, "audio/x-raw");
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                refused::join);
        assertInstanceOf(ConsentDeniedException.class, e.getCause());
        assertEquals(1, hub.snapshot().borrows().size(), "the borrow goes on");
        var notBorrowed = hub.changeFormat(DEMO, TestDevices.MICROPHONE_ID, "");
        CompletionException n = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                notBorrowed::join);
        assertInstanceOf(ActionRefused.class, n.getCause());
        assertTrue(n.getCause().getMessage().contains("is not borrowed"), n.getCause().getMessage());
    }

    @Test
    void shouldGiveADeviceBackAndSayWhyWhenItsPlaybackFails() throws Exception {
        pair();
        java.nio.file.Path unwritable = java.nio.file.Path.of("/proc/hopwire-cannot-record-here.mkv");
        try {
            hub.borrow(DEMO, TestDevices.CAMERA_ID, Outputs.PREVIEW.withRecording(unwritable), SMALL)
                    .get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException refusedAtOnce) {
            // the pipeline may fail before the borrow completes: the same notice and state are expected
        }
        Transfers.await(() -> notices.stream().anyMatch(n -> n.level() == Notice.Level.ERROR
                && n.text().startsWith("Could not play Test camera (test pattern) from Demo laptop: ")
                && n.text().endsWith("Gave it back.")), WAIT, "a notice saying why: " + notices);
        Transfers.await(() -> hub.snapshot().borrows().isEmpty(), WAIT, "given back");
        Transfers.await(() -> services.demo().orElseThrow().lending().isEmpty(), WAIT, "the demo stopped lending");
    }
}
