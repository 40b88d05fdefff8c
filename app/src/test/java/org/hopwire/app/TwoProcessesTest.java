package org.hopwire.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.hopwire.engine.emulator.Emulator;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.hopwire.engine.testbed.KernelOverFuseTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hopwire's real shape: two hosts in two {@code java} processes, each driving its own root of {@code hopwire
 * emulate}'s files through the kernel adapter (sysfs, ConfigFS, /dev/tbstreamN), nothing shared but the emulated
 * cable. They pair (the test compares the two codes as the people would), authenticate, one borrows the other's test
 * camera, and a pulled cable suspends the borrow until it is plugged back, without a new code.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TwoProcessesTest {
    @TempDir
    Path tmp;
    private Emulator emulator;
    private final List<Host> hosts = new ArrayList<>();


    /** What every host said, and the end of what it logged, for a failure's message. */
    private String report() {
        StringBuilder b = new StringBuilder();
        for (Host h : hosts) {
            b.append("\n").append(h.name).append(" said: ").append(String.join(" | ", h.lines));
            try {
                List<String> err = Files.readAllLines(tmp.resolve(h.name + ".err"));
                b.append("\n").append(h.name).append(" logged: ").append(String.join("\n  ",
                        err.subList(Math.max(0, err.size() - 30), err.size())));
            } catch (IOException e) {
                // no log
            }
        }
        return b.toString();
    }

    /** One host process and what it said. */
    private final class Host {
        final String name;
        final Process process;
        final PrintStream in;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Host(String name, Process process) {
            this.name = name;
            this.process = process;
            this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                        if (line.startsWith("ASK ")) {
                            in.println("allow"); // the owner's person allows each request
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "read-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        Optional<String> last(Predicate<String> p) {
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (p.test(lines.get(i))) {
                    return Optional.of(lines.get(i));
                }
            }
            return Optional.empty();
        }

        String await(String prefix, Duration timeout) throws Exception {
            try {
                Transfers.await(() -> last(l -> l.startsWith(prefix)).isPresent() || !process.isAlive(), timeout,
                        name + " to say " + prefix + " (said: " + tail() + ")");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + report(), e);
            }
            return last(l -> l.startsWith(prefix)).orElseThrow(() -> new AssertionError(name + " ended: " + tail()));
        }

        /** The latest FRAMES count. */
        long frames() {
            return last(l -> l.startsWith("FRAMES ")).map(l -> Long.parseLong(l.substring(7))).orElse(0L);
        }

        String tail() {
            int n = lines.size();
            return String.join(" | ", lines.subList(Math.max(0, n - 8), n));
        }
    }

    @AfterEach
    void stop() {
        for (Host h : hosts) {
            h.process.destroyForcibly();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private Host start(String name) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = tmp.resolve(name + ".err");
        Process p = new ProcessBuilder(java, "-Xmx512m", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), ScriptedHost.class.getName(),
                "--root", emulator.root(name).toString(), "--config", tmp.resolve(name + "-config").toString(),
                "--name", name).redirectError(log.toFile()).start();
        Host h = new Host(name, p);
        hosts.add(h);
        return h;
    }

    @Test
    void shouldPairBorrowAndResumeAfterACablePullBetweenTwoProcesses() throws Exception {
        KernelOverFuseTestbed.assumeFuse();
        assumeTrue(new ProcessBuilder("gst-inspect-1.0", "videotestsrc").start().waitFor() == 0,
                "needs GStreamer's base plugins");
        emulator = Emulator.start(new Emulator.Options(tmp.resolve("usb4"), List.of("alpha", "beta"),
                CableProfile.UNTHROTTLED, EmulatedWorld.Settings.DEFAULT, Optional.empty()));
        Host alpha = start("alpha");
        Host beta = start("beta");

        // Both screens show a code; the people compare them and confirm.
        String codeOnAlpha = alpha.await("CODE beta ", Duration.ofSeconds(60)).substring("CODE beta ".length());
        String codeOnBeta = beta.await("CODE alpha ", Duration.ofSeconds(10)).substring("CODE alpha ".length());
        assertEquals(codeOnAlpha, codeOnBeta, "both hosts show the same code");
        alpha.in.println("confirm");
        beta.in.println("confirm");
        alpha.await("STATE beta PAIRED", Duration.ofSeconds(30));
        beta.await("STATE alpha PAIRED", Duration.ofSeconds(30));

        // Beta borrows alpha's test camera; alpha's person allows it; pictures arrive.
        beta.in.println("borrow Test camera");
        beta.await("BORROWING video/", Duration.ofSeconds(30));
        Transfers.await(() -> beta.frames() >= 30, Duration.ofSeconds(30), "pictures on beta" + report());

        // The cable is pulled: both see the other go, the borrow waits.
        Path plugged = emulator.mount().resolve("cables/alpha-beta/plugged");
        Files.writeString(plugged, "0\n");
        beta.await("STATE alpha OFFLINE", Duration.ofSeconds(20));
        alpha.await("STATE beta OFFLINE", Duration.ofSeconds(20));
        int seen = beta.lines.size();

        // Plugged back: the hosts find each other, trust the pairing they made (no new code) and the borrow resumes.
        Files.writeString(plugged, "1\n");
        beta.await("STATE alpha PAIRED", Duration.ofSeconds(60));
        Transfers.await(() -> beta.lines.subList(seen, beta.lines.size()).stream()
                .filter(l -> l.startsWith("FRAMES ")).mapToLong(l -> Long.parseLong(l.substring(7)))
                .max().orElse(0) >= 30, Duration.ofSeconds(60), "pictures again after the replug (" + beta.tail()
                + ")");
        assertTrue(beta.lines.subList(seen, beta.lines.size()).stream().noneMatch(l -> l.startsWith("CODE ")),
                "no new code after the replug");

        for (Host h : hosts) {
            h.in.println("quit");
        }
        for (Host h : hosts) {
            assertTrue(h.process.waitFor(30, TimeUnit.SECONDS), h.name + " quits");
            assertEquals(0, h.process.exitValue(), h.name + ": " + Files.readString(tmp.resolve(h.name + ".err")));
        }
        // Each host tore its streams down on the way out: nothing is left in ConfigFS.
        for (String h : List.of("alpha", "beta")) {
            Path streams = emulator.root(h).resolve("sys/kernel/config/thunderbolt/stream");
            try (var groups = Files.walk(streams)) {
                assertEquals(List.of(), groups.filter(p -> p.getNameCount() - streams.getNameCount() == 2).toList(),
                        h + " left no stream behind");
            }
        }
    }
}
