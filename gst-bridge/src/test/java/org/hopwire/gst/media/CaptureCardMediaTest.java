package org.hopwire.gst.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.GstAssume;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.AvSync;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;
import org.hopwire.gst.playback.PreviewFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test capture card borrowed whole on the emulated fabric (both hosts in one process): both channels deliver,
 * the borrower's outputs show the flip and sound the beep within 20 ms of each other, and the halves pause, stop and
 * fail together.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CaptureCardMediaTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The goal: lip sync as broadcast practice expects it. */
    static final double GOAL_MS = 20;

    @TempDir
    Path dir;
    private MediaPair pair;

    @BeforeAll
    static void gstreamer() {
        GstAssume.installed();
    }

    @AfterEach
    void tearDown() {
        if (pair != null) {
            pair.close();
        }
    }

    /** Borrows the card with a preview; returns {pictures, sound}. */
    private Borrow[] borrowCard() throws Exception {
        pair = new MediaPair(dir, Outputs.PREVIEW);
        Transfers.await(() -> pair.borrowerSession.peerCatalog().devices().stream().anyMatch(d ->
                d.id().equals(TestDevices.CAPTURE_CARD_ID) && d.kind() == ControlMessage.Device.AUDIO_VIDEO), WAIT,
                "the borrower sees the card as one device of both kinds");
        Borrow video = pair.borrowerSession.borrow(TestDevices.CAPTURE_CARD_ID, "").get(15, TimeUnit.SECONDS);
        assertTrue(video.grouped() && !video.isAudio(), video.toString());
        Borrow audio = pair.borrowerSession.borrowing().stream().filter(b -> b.channel() == video.partner())
                .findFirst().orElseThrow();
        assertTrue(audio.caps().startsWith("audio/x-raw"), audio.caps());
        return new Borrow[] {video, audio};
    }

    private Playback playback(Borrow b) throws InterruptedException {
        Transfers.await(() -> pair.borrower.borrower().playback(b.channel()).isPresent(), WAIT, "playback");
        return pair.borrower.borrower().playback(b.channel()).orElseThrow();
    }

    /** Takes the preview's pictures as a window would, so they are freed. */
    private static Thread drain(Playback p) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                PreviewFrame f = p.preview().take();
                if (f != null) {
                    f.close();
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "preview-drain");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void shouldPlayPicturesAndSoundWithin20MsOfEachOther() throws Exception {
        Borrow[] card = borrowCard();
        Playback video = playback(card[0]);
        Playback audio = playback(card[1]);
        Thread drain = drain(video);
        try {
            Transfers.await(() -> video.framesIn() > 50 && audio.framesIn() > 100, WAIT, "frames on both channels");
            AvSync sync = pair.borrower.borrower().avSync(card[0].channel()).orElseThrow();
            assertEquals(sync, pair.borrower.borrower().avSync(card[1].channel()).orElseThrow(), "one for both");
            // The first ticks are a warm-up: both pipelines start and the machine is busiest then; seen on a loaded
            // 2-core machine, a frame or a sound buffer arriving later than the latency made offsets of hundreds of ms
            // in the first seconds. They are printed, not judged; the next 10 ticks are.
            Transfers.await(() -> sync.figures().pairs() >= 3, Duration.ofSeconds(15), "3 ticks of warm-up");
            System.out.println("A/V offset during the warm-up (ms): " + sync.recentMs());
            sync.resetFigures();
            Transfers.await(() -> sync.figures().pairs() >= 10, Duration.ofSeconds(25), "10 ticks seen and heard");
            AvSync.Figures f = sync.figures();
            System.out.printf(java.util.Locale.ROOT, "A/V offset over %d ticks: median %.1f ms, p95 |offset| %.1f ms"
                    + ", last %.1f ms; each: %s%n", f.pairs(), f.medianMs(), f.p95AbsMs(), f.lastMs(), sync.recentMs());
            // The median is judged: on this shared 2-core machine a stretch of load now and then delays a frame
            // or a sound buffer past the latency (seen: up to 1.9 s at a load average of 5), and that tick's
            // offset shows it; the p95 is printed with every run and measured over 30 s by the av-bench.
            assertTrue(Math.abs(f.medianMs()) <= GOAL_MS, "median offset " + f.medianMs() + " ms over "
                    + sync.recentMs());
        } finally {
            drain.interrupt();
        }
    }

    @Test
    void shouldPauseBothHalvesAndEndBothWhenTheSoundIsReturned() throws Exception {
        Borrow[] card = borrowCard();
        Playback video = playback(card[0]);
        Playback audio = playback(card[1]);
        Transfers.await(() -> video.framesIn() > 10 && audio.framesIn() > 10, WAIT, "frames on both channels");
        pair.borrowerSession.pause(card[1].channel(), true);
        Thread.sleep(300); // what was on its way still arrives
        long v = video.framesIn();
        long a = audio.framesIn();
        Thread.sleep(500);
        assertEquals(v, video.framesIn(), "the pictures paused with the sound");
        assertEquals(a, audio.framesIn());
        pair.borrowerSession.pause(card[0].channel(), false);
        Transfers.await(() -> video.framesIn() > v + 5 && audio.framesIn() > a + 5, WAIT, "both resumed");

        pair.borrower.borrower().giveBack(card[1].channel());
        long[] other = pair.borrowerApp.borrowsEnded.poll(5, TimeUnit.SECONDS);
        assertNotNull(other, "the pictures went back with the sound");
        assertEquals(card[0].channel(), other[0]);
        Transfers.await(() -> pair.borrower.borrower().playback(card[0].channel()).isEmpty()
                && pair.borrower.borrower().playback(card[1].channel()).isEmpty(), WAIT, "both playbacks closed");
        Transfers.await(() -> pair.owner.lender().lends().isEmpty(), WAIT, "the owner's capture stopped");
        assertTrue(pair.borrowerSession.borrowing().isEmpty());
        // The lender drops the card at its first half's end; the session lets the second half go just after.
        Transfers.await(() -> pair.ownerSession.lending().isEmpty(), WAIT, "the owner's session lends nothing");
    }

    @Test
    void shouldEndBothHalvesWithDeviceGoneWhenTheCardIsPulledOut() throws Exception {
        Borrow[] card = borrowCard();
        Playback video = playback(card[0]);
        Playback audio = playback(card[1]);
        Transfers.await(() -> video.framesIn() > 10 && audio.framesIn() > 10, WAIT, "frames on both channels");
        pair.ownerDevices.testDevices().unplug(TestDevices.CAPTURE_CARD_ID);
        long[] e1 = pair.borrowerApp.borrowsEnded.poll(5, TimeUnit.SECONDS);
        long[] e2 = pair.borrowerApp.borrowsEnded.poll(5, TimeUnit.SECONDS);
        assertNotNull(e2, "both halves ended");
        assertEquals(Set.of((long) card[0].channel(), (long) card[1].channel()), Set.of(e1[0], e2[0]));
        assertEquals(ControlMessage.Stop.DEVICE_GONE, e1[1]);
        assertEquals(ControlMessage.Stop.DEVICE_GONE, e2[1]);
        Transfers.await(() -> !pair.borrowerApp.peerErrors.isEmpty(), WAIT, "the reason in words");
        assertTrue(pair.borrowerApp.peerErrors.get(0).contains("stopped"), pair.borrowerApp.peerErrors.toString());
        Transfers.await(() -> pair.owner.lender().lends().isEmpty(), WAIT, "the owner's capture stopped");
        assertFalse(pair.ownerDevices.find(TestDevices.CAPTURE_CARD_ID).isPresent());
        assertEquals(PeerSession.State.READY, pair.borrowerSession.state(), "the session survives");
    }
}
