package org.hopwire.gst.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlMessage.ControlState;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.GstAssume;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.device.Balance;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The borrower adjusts the borrowed test camera over an emulated cable: the owner's balance element takes the
 * change, the owner confirms the value, and the frames that arrive show it.
 */
class ControlsMediaTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String RAW = "video/x-raw,width=320,height=240,framerate=30/1";

    @TempDir
    Path dir;
    private MediaPair pair;
    /** The newest received frame's mean luma (times 1000) and its sequence. */
    private final AtomicLong lumaMilli = new AtomicLong(-1);
    private final AtomicLong frames = new AtomicLong();

    @BeforeAll
    static void gstreamer() throws Exception {
        GstAssume.installed();
        assumeTrue(GstRuntime.hasElement("videobalance"), "needs the GStreamer element videobalance");
    }

    @AfterEach
    void tearDown() {
        if (pair != null) {
            pair.close();
        }
    }

    private Borrow borrowCamera(SessionHandler.Consent consent, boolean controls) throws Exception {
        pair = new MediaPair(dir, Outputs.PREVIEW);
        pair.ownerApp.consent = consent;
        pair.ownerApp.controls = controls;
        pair.borrower.borrower().observeFrames(f -> {
            // NV12 or I420: the first width x height bytes are the luma plane.
            ByteBuffer p = f.payload();
            int n = Math.min(320 * 240, p.remaining());
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += p.get(p.position() + i) & 0xff;
            }
            lumaMilli.set(sum * 1000 / Math.max(1, n));
            frames.incrementAndGet();
        });
        Transfers.await(() -> pair.borrowerSession.peerCatalog().devices().stream()
                .anyMatch(d -> d.id().equals(TestDevices.CAMERA_ID) && !d.controls().isEmpty()), WAIT,
                "the owner's catalog lists the test camera's controls");
        return pair.borrowerSession.borrow(TestDevices.CAMERA_ID, RAW).get(15, TimeUnit.SECONDS);
    }

    /** The mean luma over the next frames (the ball moves: several frames even it out). */
    private double meanLuma(int count) throws InterruptedException {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            long from = frames.get();
            Transfers.await(() -> frames.get() > from, WAIT, "a frame");
            sum += lumaMilli.get() / 1000.0;
        }
        return sum / count;
    }

    @Test
    void shouldRaiseTheBorrowedCamerasBrightnessAndSeeItInTheFrames() throws Exception {
        Borrow b = borrowCamera(SessionHandler.Consent.ALLOW_ALWAYS, true);
        assertTrue(b.caps().startsWith("video/x-raw"), b.caps());
        assertEquals(Balance.CONTROLS.stream().map(ControlMessage.Control::name).toList(),
                pair.borrowerSession.borrowedControls(b.channel()).stream().map(ControlMessage.Control::name)
                        .toList());
        Transfers.await(() -> pair.borrowerSession.borrowedControlAccess(b.channel()) != null, WAIT, "access");
        assertEquals(ControlMessage.ControlAccess.ALLOWED,
                pair.borrowerSession.borrowedControlAccess(b.channel()).access());
        double before = meanLuma(10);

        ControlState st = pair.borrowerSession.setControl(b.channel(), "brightness", 50).get(5, TimeUnit.SECONDS);
        assertEquals(ControlState.APPLIED, st.status());
        assertEquals(50, st.value(), "the value the balance element holds");
        // Frames captured before the change may still be on their way: skip a few, then measure.
        meanLuma(5);
        double after = meanLuma(10);
        assertTrue(after > before + 40, "mean luma " + before + " -> " + after + " after brightness +0.5");

        // The owner's own change shows on the borrower's side, and the picture follows it back.
        assertEquals(0, pair.owner.lender().setControl(TestDevices.CAMERA_ID, "brightness", 0));
        Transfers.await(() -> pair.borrowerSession.borrowedControls(b.channel()).get(0).value() == 0, WAIT,
                "the owner's change reaches the borrower");
        meanLuma(5);
        double back = meanLuma(10);
        assertTrue(Math.abs(back - before) < 15, "mean luma back to " + back + " (was " + before + ")");
    }

    @Test
    void shouldRefuseABorrowerWithoutPermissionWithAReason() throws Exception {
        Borrow b = borrowCamera(SessionHandler.Consent.ALLOW_ONCE, false);
        Transfers.await(() -> pair.borrowerSession.borrowedControlAccess(b.channel()) != null, WAIT, "access");
        ControlMessage.ControlAccess access = pair.borrowerSession.borrowedControlAccess(b.channel());
        assertEquals(ControlMessage.ControlAccess.REFUSED, access.access());
        assertTrue(access.reason().contains("did not let"), access.reason());
        double before = meanLuma(10);
        ControlState st = pair.borrowerSession.setControl(b.channel(), "brightness", 80).get(5, TimeUnit.SECONDS);
        assertEquals(ControlState.REFUSED, st.status());
        assertEquals(0, st.value());
        Transfers.await(() -> pair.borrowerApp.peerErrors.stream().anyMatch(e -> e.startsWith("NOT_ALLOWED")
                && e.contains("did not let")), WAIT, "ERROR 8 with the reason: " + pair.borrowerApp.peerErrors);
        meanLuma(5);
        double after = meanLuma(10);
        assertTrue(Math.abs(after - before) < 15, "the picture is unchanged: " + before + " -> " + after);
        assertEquals(List.of(), List.copyOf(pair.ownerDevices.controlValues(TestDevices.CAMERA_ID).values()),
                "nothing was set on the owner's camera");
    }
}
