package org.hopwire.app.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo laptop's test capture card through the hub, as the window and the CLI use it: one device of both kinds in
 * the catalog, one borrow that plays pictures and sound, the A/V offset on the link panel, and giving it back ends
 * both halves on both hosts.
 */
class CaptureCardHubTest {
    private static final UUID DEMO = DemoFabric.DEMO_PEER_UUID;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private DemoHub fixture;
    private Hub hub;

    @BeforeEach
    void open() throws Exception {
        fixture = DemoHub.open(dir, new Questions());
        hub = fixture.hub;
        Questions.Question q = fixture.awaitQuestion(Questions.Kind.PAIRING);
        q.answer(SessionHandler.Consent.ALLOW_ONCE);
        Transfers.await(() -> fixture.state() == PeerState.PAIRED, WAIT, "paired");
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldBorrowTheDemoCaptureCardWholeShowItsOffsetAndGiveBothHalvesBack() throws Exception {
        Transfers.await(() -> hub.snapshot().peer(DEMO).orElseThrow().device(TestDevices.CAPTURE_CARD_ID)
                .isPresent(), WAIT, "the card in the demo's catalog");
        Snapshot.Device card = hub.snapshot().peer(DEMO).orElseThrow().device(TestDevices.CAPTURE_CARD_ID)
                .orElseThrow();
        assertTrue(card.isAudioVideo() && !card.isVideo(), "one device of both kinds");
        Borrow video = hub.borrow(DEMO, TestDevices.CAPTURE_CARD_ID, Outputs.PREVIEW, "").get(30, TimeUnit.SECONDS);
        assertTrue(video.grouped());
        Transfers.await(() -> hub.playback(DEMO, video.channel()).isPresent()
                && hub.playback(DEMO, video.partner()).isPresent(), WAIT, "both halves play");
        Playback pictures = hub.playback(DEMO, video.channel()).orElseThrow();
        Playback sound = hub.playback(DEMO, video.partner()).orElseThrow();
        assertTrue(sound.isAudio() && !pictures.isAudio());
        Transfers.await(() -> pictures.preview().offered() >= 5 && sound.framesIn() >= 20, WAIT,
                "pictures in the preview and sound arriving");
        Transfers.await(() -> sound.level().isPresent(), WAIT, "the sound's level for the meter");
        Transfers.await(() -> hub.snapshot().peer(DEMO).orElseThrow().link().avOffsets().stream()
                .anyMatch(o -> o.ticks() >= 2), Duration.ofSeconds(30), "the A/V offset on the link panel");
        Snapshot.AvOffset offset = hub.snapshot().peer(DEMO).orElseThrow().link().avOffsets().get(0);
        assertTrue(offset.device().contains("Test capture card"), offset.toString());
        assertTrue(Math.abs(offset.medianMs()) < 1000, offset.toString());

        hub.giveBack(DEMO, TestDevices.CAPTURE_CARD_ID).get(10, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().borrows().isEmpty(), WAIT, "both halves returned");
        Transfers.await(() -> fixture.services.demo().orElseThrow().lending().isEmpty(), WAIT,
                "the demo lends neither half");
        assertTrue(hub.playback(DEMO, video.channel()).isEmpty() && hub.playback(DEMO, video.partner()).isEmpty());
    }

    @Test
    void shouldEndBothHalvesWhenTheDemoPullsTheCardOut() throws Exception {
        Transfers.await(() -> hub.snapshot().peer(DEMO).orElseThrow().device(TestDevices.CAPTURE_CARD_ID)
                .isPresent(), WAIT, "the card in the demo's catalog");
        Borrow video = hub.borrow(DEMO, TestDevices.CAPTURE_CARD_ID, Outputs.PREVIEW, "").get(30, TimeUnit.SECONDS);
        Transfers.await(() -> hub.snapshot().borrows().stream().filter(b -> b.channel() >= 0).count() == 2, WAIT,
                "both halves listed");
        Set<Integer> channels = hub.snapshot().borrows().stream().map(Snapshot.Borrowed::channel)
                .collect(Collectors.toSet());
        assertEquals(Set.of(video.channel(), video.partner()), channels);
        fixture.services.demo().orElseThrow().devices().testDevices().unplug(TestDevices.CAPTURE_CARD_ID);
        Transfers.await(() -> hub.snapshot().borrows().isEmpty(), WAIT, "both halves ended");
        Transfers.await(() -> fixture.notices.stream().anyMatch(n -> n.text().contains("Test capture card")), WAIT,
                "the person hears which device went");
        assertTrue(hub.playback(DEMO, video.channel()).isEmpty() && hub.playback(DEMO, video.partner()).isEmpty());
    }
}
