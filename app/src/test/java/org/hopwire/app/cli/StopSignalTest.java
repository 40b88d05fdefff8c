package org.hopwire.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.hopwire.app.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (what Ctrl+C does too) on a one-shot {@code hopwire borrow} in its own JVM, on the emulated demo: the
 * process gives the camera back, closes the recording so it is a whole file, and exits with 0 in a few seconds,
 * leaving no process and no socket behind. (Left to the JVM's own handling, SIGTERM
 * exits with 143.)
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StopSignalTest {
    /** From SIGTERM to exit: the give-back, the goodbye, the recording's end. */
    static final Duration STOP_BOUND = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private Process child;

    @AfterEach
    void kill() {
        if (child != null) {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
        }
    }

    static boolean has(String... command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect
                    .DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void shouldGiveBackCloseTheRecordingAndExitZeroOnSigterm() throws Exception {
        assumeTrue(has("gst-inspect-1.0", "matroskamux"), "needs GStreamer's good plugins (matroskamux)");
        Path cfg = dir.resolve("cfg");
        Path runtime = Files.createDirectories(dir.resolve("run"));
        // Pair once here: the pairing (both sides' halves) is kept in cfg for the child.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int paired = Cli.run(List.of("--fabric=emulated", "--config-dir", cfg.toString(), "pair", "Demo laptop"),
                new Terminal(new ByteArrayInputStream("y\n".getBytes(StandardCharsets.UTF_8)),
                        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true,
                        StandardCharsets.UTF_8), false), (a, t) -> 1);
        assertEquals(0, paired, out.toString(StandardCharsets.UTF_8));

        Path recording = dir.resolve("camera.mkv");
        Path stdout = dir.resolve("out.txt");
        Path stderr = dir.resolve("err.txt");
        String java = ProcessHandle.current().info().command().orElse("java");
        child = new ProcessBuilder(java, "-Xmx256m", "-Djava.awt.headless=true",
                "-Dhopwire.runtimeDir=" + runtime, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--fabric=emulated", "--config-dir", cfg.toString(), "borrow", "Demo laptop:test:camera",
                "--output", "file:" + recording, "--format", CliTest.SMALL)
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();

        // Recording, and growing.
        long size = awaitGrowth(recording, Duration.ofSeconds(45), stdout, stderr);
        List<ProcessHandle> helpers = child.descendants().toList();
        long sent = System.nanoTime();
        child.destroy(); // SIGTERM
        boolean exited = child.waitFor(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        String said = Files.readString(stdout) + "\n--- stderr:\n" + Files.readString(stderr);
        assertTrue(exited, "no exit within " + STOP_BOUND.toSeconds() + " s of SIGTERM: " + said);
        assertEquals(0, child.exitValue(), said);
        System.out.println("SIGTERM to exit: " + tookMs + " ms; recording " + Files.size(recording) + " bytes");
        assertTrue(said.contains("stopping (SIGTERM)"), said);
        assertTrue(said.contains("Gave Test camera (test pattern) back to Demo laptop."), said);
        assertTrue(Files.size(recording) >= size, "the recording was kept");
        for (ProcessHandle h : helpers) {
            assertTrue(!h.isAlive(), "a process the command started is still alive: " + h.info());
        }
        try (Stream<Path> left = Files.list(runtime)) {
            assertEquals(List.of(), left.toList(), "nothing left in the runtime folder");
        }

        // A whole file: matroskamux wrote its end (the duration in the header, the index after the clusters),
        // which a killed recorder leaves at 0 and without an index.
        byte[] mkv = Files.readAllBytes(recording);
        double durationMs = matroskaDurationMs(mkv);
        assertTrue(durationMs > 200 && durationMs < 120_000, "the recording's duration: " + durationMs + " ms");
        assertTrue(lastIndexOf(mkv, CUES) > indexOf(mkv, CLUSTER), "the index (Cues) follows the pictures");
        if (has("gst-inspect-1.0", "matroskademux")) {
            Process p = new ProcessBuilder("gst-launch-1.0", "-q", "filesrc", "location=" + recording, "!",
                    "matroskademux", "!", "fakesink").redirectErrorStream(true).start();
            String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "read to its end without an error: " + report);
        }
    }

    /** Matroska's element IDs, as written. */
    static final byte[] DURATION = {0x44, (byte) 0x89};
    static final byte[] CUES = {0x1C, 0x53, (byte) 0xBB, 0x6B};
    static final byte[] CLUSTER = {0x1F, 0x43, (byte) 0xB6, 0x75};

    /** The segment's Duration (an 8-byte float, in the default 1 ms timecode scale), as matroskamux writes it. */
    static double matroskaDurationMs(byte[] mkv) {
        int i = indexOf(mkv, DURATION);
        assertTrue(i > 0 && (mkv[i + 2] & 0xff) == 0x88, "no 8-byte Duration in the recording's header");
        return java.nio.ByteBuffer.wrap(mkv, i + 3, 8).getDouble();
    }

    static int indexOf(byte[] data, byte[] what) {
        for (int i = 0; i + what.length <= data.length; i++) {
            if (java.util.Arrays.equals(data, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        return -1;
    }

    static int lastIndexOf(byte[] data, byte[] what) {
        for (int i = data.length - what.length; i >= 0; i--) {
            if (java.util.Arrays.equals(data, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        return -1;
    }

    private long awaitGrowth(Path file, Duration timeout, Path stdout, Path stderr) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        long first = -1;
        while (System.nanoTime() < end && child.isAlive()) {
            long size = Files.exists(file) ? Files.size(file) : 0;
            if (first < 0 && size > 0) {
                first = size;
            } else if (first > 0 && size > first + 10_000) {
                return size;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no growing recording at " + file + " (alive: " + child.isAlive() + "): "
                + Files.readString(stdout) + "\n--- stderr:\n" + Files.readString(stderr));
    }
}
