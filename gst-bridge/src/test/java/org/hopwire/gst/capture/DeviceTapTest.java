package org.hopwire.gst.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.GstAssume;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.format.FormatChoice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A device opened once for several formats: when its branches have queues, and whose errors stop what. */
class DeviceTapTest {
    private static final Duration START = Duration.ofSeconds(10);
    private static final FormatChoice RAW = new FormatChoice(FormatChoice.Encoding.RAW, "I420", 320, 240, 30, 1,
            false, 0, 0, "test");
    private static final FormatChoice MJPEG = new FormatChoice(FormatChoice.Encoding.MJPEG, "I420", 320, 240, 30, 1,
            false, 0, 0, "test");

    @BeforeAll
    static void gstreamer() {
        GstAssume.installed();
    }

    /** Collects frames, giving each back at once, and problems apart from a format's own failure. */
    static final class Branch implements Capture.Listener {
        final BlockingQueue<MediaFrame> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<MediaProblem> problems = new LinkedBlockingQueue<>();
        final BlockingQueue<MediaProblem> formatFailures = new LinkedBlockingQueue<>();
        volatile Capture capture;

        @Override
        public void onCaps(String caps) {
        }

        @Override
        public void onProblem(MediaProblem problem) {
            problems.add(problem);
        }

        @Override
        public void onFrame(MediaFrame frame) {
            frames.add(frame);
            Capture c = capture;
            if (c != null) {
                c.release(frame);
            }
        }

        @Override
        public void onFormatFailed(MediaProblem problem) {
            formatFailures.add(problem);
        }

        /** Waits for {@code n} more frames. */
        void awaitFrames(int n) throws InterruptedException {
            frames.clear();
            for (int i = 0; i < n; i++) {
                assertNotNull(frames.poll(5, TimeUnit.SECONDS), "frame " + i + " of " + n);
            }
        }
    }

    private static Capture add(DeviceTap tap, FormatChoice choice, Branch b) throws Exception {
        // The listener needs its capture to give frames back; frames flow only after sendTo.
        b.capture = tap.addBranch(choice, START, b);
        b.capture.sendTo(1);
        return b.capture;
    }

    /** The queues in the device's pipeline, as a branch's capture lists its elements (the shared pipeline's). */
    private static int queues(Capture branch) {
        return Collections.frequency(branch.elementKinds(), "queue");
    }

    /** The test camera opened for {@code first}. */
    private static DeviceTap openTestCamera(String name, FormatChoice first) throws Exception {
        return DeviceTap.open(name, new TestDevices().source(TestDevices.CAMERA_ID), first, false);
    }

    @Test
    void shouldRunOneBranchOnTheDevicesThreadAndGiveEveryBranchAQueueOnceThereAreTwo() throws Exception {
        try (DeviceTap tap = openTestCamera("tap-queues", RAW)) {
            Branch raw = new Branch();
            Capture first = add(tap, RAW, raw);
            raw.awaitFrames(5);
            assertEquals(0, queues(first), "one branch: no queue, no hand-off: " + first.elementKinds());

            Branch mjpeg = new Branch();
            Capture second = add(tap, MJPEG, mjpeg);
            mjpeg.awaitFrames(5);
            raw.awaitFrames(5);
            assertEquals(2, queues(first), "two branches: each has its own queue: " + first.elementKinds());

            second.close();
            raw.awaitFrames(5);
            assertEquals(1, queues(first), "the branch taken off took its queue along: " + first.elementKinds());
            assertTrue(raw.problems.isEmpty() && raw.formatFailures.isEmpty(), "the first branch ran throughout: "
                    + raw.problems + raw.formatFailures);
            first.close();
            assertTrue(tap.isClosed(), "the last branch closed the device");
        }
    }

    @Test
    void shouldTellALoneBranchThatFailsItsOwnErrorOnlyThoughTheDeviceStopsOnIt() throws Exception {
        try (DeviceTap tap = openTestCamera("tap-lone", MJPEG)) {
            Branch only = new Branch();
            Capture c = add(tap, MJPEG, only);
            only.awaitFrames(3);
            c.breakBranch();
            MediaProblem own = only.formatFailures.poll(5, TimeUnit.SECONDS);
            assertNotNull(own, "the branch hears its own error");
            assertTrue(own.message().contains("broken on purpose"), own.message());
            // Its error flowed up into the device, which stopped on it: the device's error is not told again.
            assertTrue(waitFor(tap::failed), "the device stopped: a new lend opens it afresh");
            assertNull(only.problems.poll(1, TimeUnit.SECONDS), "no second, device-wide error for the same failure");
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
