package org.hopwire.gst.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.fabric.emulated.FifoPort;
import org.hopwire.engine.pairing.PairedStreams;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.KernelOverFuseTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.GstAssume;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;
import org.hopwire.gst.playback.PreviewFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel documentation's two gst-launch-1.0 pipelines, run as real subprocesses on one end of an emulated
 * stream, with Hopwire's compatibility mode on the other: through a named pipe standing in for /dev/tbstream0, and
 * through the other host's own device file of {@code hopwire emulate}'s mount.
 */
class GstLaunchInteropTest {
    @TempDir
    Path dir;
    private EmulatedTestbed bed;
    private StreamChannel onA;
    private StreamChannel onB;
    private Process process;

    @BeforeAll
    static void gstreamer() throws Exception {
        GstAssume.installed();
        assumeTrue(GstRuntime.hasElement("jpegenc") && GstRuntime.hasElement("jpegdec"), "needs jpegenc and jpegdec");
        assumeTrue(new ProcessBuilder("gst-launch-1.0", "--version").start().waitFor() == 0, "needs gst-launch-1.0");
    }

    /** Both ends in this process, B's bridged to a named pipe that gst-launch-1.0 uses as its device. */
    private void inProcess() throws Exception {
        bed = new EmulatedTestbed();
        PairedStreams[] both = bed.pairOnBoth(List.of("tbstream"));
        onA = bed.a().open(both[0].stream("tbstream").address(), Duration.ofSeconds(5));
        onB = bed.b().open(both[1].stream("tbstream").address(), Duration.ofSeconds(5));
    }

    /**
     * Through {@code hopwire emulate}'s files: A is Hopwire's kernel adapter on its root, B's end is B's own
     * {@code /dev/tbstreamN}, which gst-launch-1.0 opens itself; returns that file.
     */
    private Path overFiles() throws Exception {
        KernelOverFuseTestbed.assumeFuse();
        KernelOverFuseTestbed files = new KernelOverFuseTestbed();
        bed = files;
        PairedStreams[] both = bed.pairOnBoth(List.of("tbstream"));
        onA = bed.a().open(both[0].stream("tbstream").address(), Duration.ofSeconds(5));
        return files.root(bed.hostB()).resolve("dev").resolve(both[1].stream("tbstream").deviceName());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (process != null) {
            process.destroyForcibly();
        }
        if (bed != null) {
            bed.close();
        }
    }

    private Process launch(String pipeline) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("gst-launch-1.0", "-q"));
        cmd.addAll(List.of(pipeline.split(" ")));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("gst.log").toFile())
                .start();
        return process;
    }

    @Test
    void shouldPlayWhatTheDocumentationsSenderPipelineWrites() throws Exception {
        inProcess();
        Path fifo = dir.resolve("tbstream0-send");
        try (FifoPort port = FifoPort.writingInto(fifo, onA);
             BareMjpeg.Receiver receiver = BareMjpeg.receive("interop-in", onB, Outputs.PREVIEW,
                     new Playback.Listener() { })) {
            Process p = launch("videotestsrc is-live=true num-buffers=90 pattern=ball background-color=0xff203040 ! "
                    + "video/x-raw,width=320,height=240,framerate=30/1 ! jpegenc quality=90 ! filesink location=" + fifo);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "gst-launch-1.0 ended");
            assertEquals(0, p.exitValue(), Files.readString(dir.resolve("gst.log")));
            assertTrue(port.await(5000), "the port ends when gst-launch closes the file");
            // Every byte gst-launch wrote arrives; pictures that arrive in a burst are shown latest-wins, so the
            // preview may skip some (the live outputs never queue), but it keeps showing the stream.
            Transfers.await(() -> receiver.bytes() == port.bytes(), Duration.ofSeconds(5), "all bytes across");
            Transfers.await(() -> receiver.playback().framesShown() >= 60, Duration.ofSeconds(10),
                    "pictures decoded (" + receiver.playback().framesShown() + ")");
            PreviewFrame f = null;
            for (int i = 0; i < 100 && f == null; i++) {
                f = receiver.playback().preview().take();
                Thread.sleep(10);
            }
            assertTrue(f != null && f.width() == 320 && f.height() == 240);
            ByteBuffer px = f.pixels();
            // The background colour 0x203040 reaches the screen through JPEG within a few steps.
            assertEquals(0x40, px.get(0) & 0xff, 12);
            assertEquals(0x30, px.get(1) & 0xff, 12);
            assertEquals(0x20, px.get(2) & 0xff, 12);
            f.close();
        }
    }

    @Test
    void shouldSendWhatTheDocumentationsReceiverPipelineDecodes() throws Exception {
        inProcess();
        Path fifo = dir.resolve("tbstream0-receive");
        try (FifoPort port = FifoPort.readingFrom(fifo, onB)) {
            sendToTheDocumentationsReceiver(fifo, 0);
        }
    }

    /**
     * Starts the documentation's receiver pipeline on {@code file}, sends it 45 images in compatibility mode from
     * A, closes, and checks that gst-launch-1.0 ended at the EOF with the pictures decoded.
     */
    private void sendToTheDocumentationsReceiver(Path file, long receiverHeadStartMs) throws Exception {
        Path frames = Files.createDirectory(dir.resolve("frames"));
        TestDevices devices = new TestDevices();
        FormatChoice mjpeg = new FormatChoice(FormatChoice.Encoding.MJPEG, "I420", 320, 240, 30, 1, false, 0, 0,
                "compatibility mode");
        Process p = launch("filesrc location=" + file + " ! jpegdec ! videoconvert ! video/x-raw,format=RGB ! "
                + "multifilesink location=" + frames.resolve("f%05d.rgb"));
        Thread.sleep(receiverHeadStartMs);
        BareMjpeg.Sender sender = BareMjpeg.send("interop-out", devices.source(TestDevices.CAMERA_ID), mjpeg, onA);
        Transfers.await(() -> sender.imagesSent() >= 45, Duration.ofSeconds(10), "45 images sent");
        sender.close(); // closes the stream: gst-launch reads EOF and ends
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "gst-launch-1.0 ended at EOF");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("gst.log")));
        try (Stream<Path> files = Files.list(frames)) {
            List<Path> all = files.sorted().toList();
            assertTrue(all.size() >= 40, "decoded " + all.size() + " pictures");
            byte[] rgb = Files.readAllBytes(all.get(all.size() / 2));
            assertEquals(320 * 240 * 3, rgb.length, "one 320x240 RGB picture");
            assertEquals(0x20, rgb[0] & 0xff, 12);
            assertEquals(0x30, rgb[1] & 0xff, 12);
            assertEquals(0x40, rgb[2] & 0xff, 12);
        }
    }

    @Test
    void shouldPlayWhatAPlainGstLaunchWritesIntoThePeersDeviceFile() throws Exception {
        Path device = overFiles();
        try (BareMjpeg.Receiver receiver = BareMjpeg.receive("files-in", onA, Outputs.PREVIEW,
                new Playback.Listener() { })) {
            Process p = launch("videotestsrc is-live=true num-buffers=90 pattern=ball background-color=0xff203040 ! "
                    + "video/x-raw,width=320,height=240,framerate=30/1 ! jpegenc quality=90 ! filesink location="
                    + device);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "gst-launch-1.0 ended");
            assertEquals(0, p.exitValue(), Files.readString(dir.resolve("gst.log")));
            Transfers.await(() -> receiver.ended(), Duration.ofSeconds(10), "the end of file gst-launch's close sent");
            assertTrue(receiver.failure() == null, "ended cleanly: " + receiver.failure());
            Transfers.await(() -> receiver.playback().framesShown() >= 60, Duration.ofSeconds(10),
                    "pictures decoded (" + receiver.playback().framesShown() + ")");
        }
    }

    @Test
    void shouldSendToAPlainGstLaunchReadingThePeersDeviceFile() throws Exception {
        // gst-launch opens its end first, so its RX ring is there for the first image.
        sendToTheDocumentationsReceiver(overFiles(), 300);
    }
}
