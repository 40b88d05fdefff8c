package org.hopwire.gst.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.GstAssume;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.PipelineHost;
import org.hopwire.gst.capture.SharedCaptures;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.playback.Outputs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test camera lent to several peers at once over emulated cables: opened once on the owner, one branch per format
 * encoded once, each borrower revoked on its own, and all of them told when the camera is pulled out.
 */
class FanOutTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String RAW = "video/x-raw,width=320,height=240,framerate=30/1";
    private static final String MJPEG = "image/jpeg,width=320,height=240,framerate=30/1";

    @TempDir
    Path dir;
    private MediaFan fan;
    /** Frames each borrower received, by borrower name. */
    private final Map<String, AtomicLong> received = new ConcurrentHashMap<>();
    /** Each borrower's arrival times (ns) and sequence numbers, for gaps. */
    private final Map<String, List<long[]>> arrivals = new ConcurrentHashMap<>();

    @BeforeAll
    static void gstreamer() throws Exception {
        GstAssume.installed();
        assumeTrue(GstRuntime.hasElement("jpegenc"), "needs the GStreamer element jpegenc");
    }

    @AfterEach
    void tearDown() {
        if (fan != null) {
            fan.close();
        }
    }

    private MediaFan fan(String... borrowers) throws Exception {
        fan = new MediaFan(dir, Outputs.PREVIEW, borrowers);
        for (String name : borrowers) {
            AtomicLong n = new AtomicLong();
            List<long[]> times = new CopyOnWriteArrayList<>();
            received.put(name, n);
            arrivals.put(name, times);
            fan.link(name).borrower.borrower().observeFrames(f -> {
                n.incrementAndGet();
                times.add(new long[] {System.nanoTime(), f.sequence()});
            });
        }
        return fan;
    }

    private Borrow borrow(String who, String caps) throws Exception {
        return fan.link(who).borrowerSession.borrow(TestDevices.CAMERA_ID, caps).get(15, TimeUnit.SECONDS);
    }

    /** Waits until the borrower has received {@code more} frames beyond what it had. */
    private void awaitMoreFrames(String who, int more) throws InterruptedException {
        long from = received.get(who).get();
        Transfers.await(() -> received.get(who).get() >= from + more, WAIT, more + " more frames at " + who);
    }

    private SharedCaptures.DeviceUse onlyCamera() {
        List<SharedCaptures.DeviceUse> uses = fan.shared.uses();
        assertEquals(1, uses.size(), "one device open: " + uses);
        assertEquals(TestDevices.CAMERA_ID, uses.get(0).deviceId());
        return uses.get(0);
    }

    private static SharedCaptures.BranchUse branch(SharedCaptures.DeviceUse use, FormatChoice.Encoding encoding) {
        return use.branches().stream().filter(b -> b.choice().encoding() == encoding).findFirst()
                .orElseThrow(() -> new AssertionError("no " + encoding + " branch: " + use));
    }

    private static long lendPipelines() {
        return PipelineHost.openNames().stream().filter(n -> n.startsWith("lend-")).count();
    }

    @Test
    void shouldLendOneCameraToThreePeersOpeningItOnceAndEncodingEachFormatOnce() throws Exception {
        fan("beta", "gamma", "delta");
        Borrow raw = borrow("beta", RAW);
        Borrow jpeg = borrow("gamma", MJPEG);
        assertTrue(raw.caps().startsWith("video/x-raw"), raw.caps());
        assertTrue(jpeg.caps().startsWith("image/jpeg"), jpeg.caps());
        awaitMoreFrames("beta", 20);
        awaitMoreFrames("gamma", 20);
        SharedCaptures.DeviceUse use = onlyCamera();
        assertEquals(2, use.branches().size(), "a branch per format: " + use);
        assertEquals(1, lendPipelines(), "the camera opened once: " + PipelineHost.openNames());

        // A third borrower at a format already sent shares its branch: still one device, one MJPEG encoder.
        Borrow third = borrow("delta", MJPEG);
        assertEquals(jpeg.caps(), third.caps());
        awaitMoreFrames("delta", 20);
        use = onlyCamera();
        assertEquals(2, use.branches().size(), "no third branch: " + use);
        assertEquals(2, branch(use, FormatChoice.Encoding.MJPEG).lends(), use.toString());
        assertEquals(1, branch(use, FormatChoice.Encoding.RAW).lends(), use.toString());
        assertEquals(1, lendPipelines(), "still opened once: " + PipelineHost.openNames());
        // Each lend numbers its own frames on its own channel.
        assertEquals(3, fan.links.stream().mapToInt(l -> l.owner.lender().lends().size()).sum());

        // Revoking one borrower stops only that one.
        fan.link("gamma").ownerSession.revoke(fan.link("gamma").owner.lender().lends().get(0).channel());
        long[] ended = fan.link("gamma").borrowerApp.borrowsEnded.poll(5, TimeUnit.SECONDS);
        assertNotNull(ended, "gamma hears its borrow ended");
        assertEquals(ControlMessage.Stop.REVOKED, ended[1]);
        awaitMoreFrames("beta", 30);
        awaitMoreFrames("delta", 30);
        assertEquals(1, branch(onlyCamera(), FormatChoice.Encoding.MJPEG).lends());
        assertTrue(fan.link("beta").borrowerApp.borrowsEnded.isEmpty(), "beta goes on");
        assertTrue(fan.link("delta").borrowerApp.borrowsEnded.isEmpty(), "delta goes on");

        // The camera pulled out: every remaining borrower hears it, in the device's words.
        fan.ownerDevices.testDevices().unplug(TestDevices.CAMERA_ID);
        for (String who : List.of("beta", "delta")) {
            MediaFan.Link l = fan.link(who);
            long[] gone = l.borrowerApp.borrowsEnded.poll(5, TimeUnit.SECONDS);
            assertNotNull(gone, who + " hears its borrow ended");
            assertEquals(ControlMessage.Stop.DEVICE_GONE, gone[1], who);
            Transfers.await(() -> !l.borrowerApp.peerErrors.isEmpty(), WAIT, who + " hears why");
            assertTrue(l.borrowerApp.peerErrors.get(0).contains("DEVICE_GONE")
                    && l.borrowerApp.peerErrors.get(0).contains("unplugged"), l.borrowerApp.peerErrors.toString());
            assertEquals(PeerSession.State.READY, l.borrowerSession.state(), "the session survives");
        }
        Transfers.await(() -> fan.shared.uses().isEmpty() && lendPipelines() == 0, WAIT, "the camera closed");
    }

    @Test
    void shouldKeepTheFirstBorrowerFlowingWhileTheSecondChangesFormat() throws Exception {
        fan("beta", "gamma");
        Borrow first = borrow("beta", RAW);
        Borrow second = borrow("gamma", RAW);
        awaitMoreFrames("beta", 10);
        awaitMoreFrames("gamma", 10);
        assertEquals(1, onlyCamera().branches().size(), "one format, one branch");
        assertEquals(2, onlyCamera().branches().get(0).lends());

        long changeStart = System.nanoTime();
        Borrow changed = fan.link("gamma").borrowerSession.requestFormat(second.channel(),
                "image/jpeg,width=640,height=480,framerate=30/1").get(15, TimeUnit.SECONDS);
        long changeEnd = System.nanoTime();
        assertTrue(changed.caps().startsWith("image/jpeg") && changed.caps().contains("640"), changed.caps());
        awaitMoreFrames("gamma", 20);
        awaitMoreFrames("beta", 20);

        SharedCaptures.DeviceUse use = onlyCamera();
        assertEquals(2, use.branches().size(), "gamma moved to a branch of its own: " + use);
        assertEquals(1, branch(use, FormatChoice.Encoding.RAW).lends());
        assertEquals(1, lendPipelines(), "the camera was not opened again: " + PipelineHost.openNames());
        assertEquals(first.caps(), fan.link("beta").borrowerSession.borrowing().stream()
                .filter(b -> b.channel() == first.channel()).findFirst().orElseThrow().caps(), "beta's caps unchanged");
        // Beta's frames went on through the change: no gap longer than a few frame times, sequence numbers rising.
        List<long[]> beta = arrivals.get("beta");
        long worstGapNs = 0;
        int during = 0;
        for (int i = 1; i < beta.size(); i++) {
            long[] a = beta.get(i - 1);
            long[] b = beta.get(i);
            assertTrue(b[1] > a[1], "beta's sequence numbers rise at " + i);
            if (b[0] >= changeStart - 200_000_000L && a[0] <= changeEnd + 200_000_000L) {
                worstGapNs = Math.max(worstGapNs, b[0] - a[0]);
                during++;
            }
        }
        assertTrue(during > 5, "beta received frames during the change: " + during);
        assertTrue(worstGapNs < 250_000_000L, "beta's longest gap during gamma's change: " + worstGapNs / 1_000_000
                + " ms");
    }

    @Test
    void shouldEndOnlyTheLendsOfABranchThatFailsWhileTheDeviceGoesOnForTheOthers() throws Exception {
        fan("beta", "gamma");
        borrow("beta", RAW);
        borrow("gamma", MJPEG);
        awaitMoreFrames("beta", 10);
        awaitMoreFrames("gamma", 10);
        assertEquals(2, onlyCamera().branches().size());

        // Gamma's MJPEG branch starts refusing the device's pictures (as a converter would): only gamma's lend ends.
        GstLender gammaLender = fan.link("gamma").owner.lender();
        gammaLender.capture(gammaLender.lends().get(0).channel()).orElseThrow().failBranchForTest();
        long[] ended = fan.link("gamma").borrowerApp.borrowsEnded.poll(10, TimeUnit.SECONDS);
        assertNotNull(ended, "gamma hears its borrow ended");
        assertEquals(ControlMessage.Stop.FAILED, ended[1], "ended as failed, not as the device gone");
        awaitMoreFrames("beta", 30);
        assertTrue(fan.link("beta").borrowerApp.borrowsEnded.isEmpty(), "beta goes on");
        Transfers.await(() -> onlyCamera().branches().size() == 1, WAIT, "the failed branch taken off");
        assertEquals(FormatChoice.Encoding.RAW, onlyCamera().branches().get(0).choice().encoding());
        assertEquals(1, lendPipelines(), "the camera was not opened again: " + PipelineHost.openNames());

        // A branch that cannot start (a format the converters refuse) is refused alone; beta still goes on.
        org.hopwire.gst.device.MediaDevice camera = fan.ownerDevices.find(TestDevices.CAMERA_ID).orElseThrow();
        FormatChoice refused = new FormatChoice(FormatChoice.Encoding.RAW, "NOPE", 320, 240, 30, 1, false, 0, 0,
                "a format no converter makes");
        org.hopwire.engine.session.SessionHandler.LendRefused no = org.junit.jupiter.api.Assertions.assertThrows(
                org.hopwire.engine.session.SessionHandler.LendRefused.class, () -> gammaLender.startCapture(camera,
                        fan.ownerDevices.source(TestDevices.CAMERA_ID).orElseThrow(), refused, 0));
        assertTrue(no.getMessage().contains("cannot start"), no.getMessage());
        awaitMoreFrames("beta", 30);
        assertTrue(fan.link("beta").borrowerApp.borrowsEnded.isEmpty(), "beta still goes on");
        assertEquals(1, onlyCamera().branches().size(), "the refused branch is gone: " + onlyCamera());

        // Gamma borrows MJPEG again: a fresh branch, not the failed one.
        borrow("gamma", MJPEG);
        awaitMoreFrames("gamma", 20);
        awaitMoreFrames("beta", 10);
        assertEquals(2, onlyCamera().branches().size());
        assertEquals(1, lendPipelines(), "still opened once: " + PipelineHost.openNames());
    }

    private static long controlValue(PeerSession s, int channel, String name) {
        return s.borrowedControls(channel).stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow()
                .value();
    }

    @Test
    void shouldTellEveryBorrowerOfTheDeviceAControlAnotherBorrowerChanged() throws Exception {
        fan("beta", "gamma");
        // The owner's person lets both adjust the camera.
        fan.links.forEach(l -> l.ownerApp.consent = SessionHandler.Consent.ALLOW_ALWAYS);
        Borrow b = borrow("beta", RAW);
        Borrow g = borrow("gamma", MJPEG);
        PeerSession beta = fan.link("beta").borrowerSession;
        PeerSession gamma = fan.link("gamma").borrowerSession;
        Transfers.await(() -> beta.borrowedControlAccess(b.channel()) != null
                && gamma.borrowedControlAccess(g.channel()) != null, WAIT, "both told what they may adjust");
        assertEquals(0, controlValue(gamma, g.channel(), "brightness"));

        ControlMessage.ControlState st = beta.setControl(b.channel(), "brightness", 40).get(5, TimeUnit.SECONDS);
        assertEquals(ControlMessage.ControlState.APPLIED, st.status());
        Transfers.await(() -> controlValue(gamma, g.channel(), "brightness") == 40, WAIT,
                "gamma hears beta's brightness (the camera is one for both)");

        // And the other way round, for another control.
        st = gamma.setControl(g.channel(), "contrast", 150).get(5, TimeUnit.SECONDS);
        assertEquals(ControlMessage.ControlState.APPLIED, st.status());
        Transfers.await(() -> controlValue(beta, b.channel(), "contrast") == 150, WAIT, "beta hears gamma's contrast");
        assertEquals(40, controlValue(beta, b.channel(), "brightness"), "beta's own value stands");
        assertTrue(fan.link("beta").borrowerApp.peerErrors.isEmpty(), fan.link("beta").borrowerApp.peerErrors
                .toString());
    }

    @Test
    void shouldLetTheOwnerPreviewALentCameraFromTheSameOpening() throws Exception {
        fan("beta");
        // The owner previews first: the camera opens for the preview, and the borrower's lend joins that opening.
        LocalPreview preview = LocalPreview.start(fan.ownerDevices, fan.shared, TestDevices.CAMERA_ID);
        try {
            org.hopwire.gst.playback.Playback shown = preview.playback().orElseThrow();
            Transfers.await(() -> shown.preview().offered() >= 5, WAIT, "the owner's preview shows pictures");
            borrow("beta", RAW);
            awaitMoreFrames("beta", 20);
            long offered = shown.preview().offered();
            Transfers.await(() -> shown.preview().offered() >= offered + 10, WAIT, "the preview goes on while lent");
            assertEquals(1, lendPipelines(), "the camera opened once: " + PipelineHost.openNames());
            assertEquals(2, onlyCamera().branches().size(), "the preview's branch and the lend's: " + onlyCamera());
        } finally {
            preview.close();
        }
        // The preview closed: the lend goes on, on the same opening.
        awaitMoreFrames("beta", 20);
        assertEquals(1, onlyCamera().branches().size());
        assertEquals(1, lendPipelines());

        // And the other way round: a preview of the camera while it is lent joins the lend's opening.
        try (LocalPreview again = LocalPreview.start(fan.ownerDevices, fan.shared, TestDevices.CAMERA_ID)) {
            org.hopwire.gst.playback.Playback shown = again.playback().orElseThrow();
            Transfers.await(() -> shown.preview().offered() >= 5, WAIT, "pictures in the second preview");
            awaitMoreFrames("beta", 10);
            assertEquals(1, lendPipelines(), "still opened once: " + PipelineHost.openNames());
        }
        assertTrue(fan.link("beta").borrowerApp.borrowsEnded.isEmpty(), "beta went on throughout");
    }
}
