package org.hopwire.gst;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PipeWire for tests: pipewire, WirePlumber (on its own session bus) and pipewire-pulse in the folder
 * that this test JVM's {@code PIPEWIRE_RUNTIME_DIR} and {@code PULSE_SERVER} name (set by gst-bridge's pom), with
 * a Dummy-Driver clocking the graph; no sound card needed. {@link #start()} skips the calling test, with the
 * reason, when a part is missing or does not come up; {@link #close()} stops every process it started, children
 * included.
 *
 * <p>Subprocesses that should talk to it (pactl, pw-record, gst-launch-1.0) get {@link #environment()}.
 */
public final class HeadlessPipeWire implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(15);
    /** A unix socket's path must fit in sun_path (108 bytes with the terminator). */
    private static final int MAX_SOCKET_PATH = 107;

    private final Path dir;
    private final Path home;
    private final List<Process> processes = new ArrayList<>();

    private HeadlessPipeWire(Path dir) {
        this.dir = dir;
        this.home = dir.resolve("home");
    }

    /** Starts the graph and waits until the sound server answers and WirePlumber has set it up. */
    public static HeadlessPipeWire start() throws Exception {
        String runtime = System.getenv("PIPEWIRE_RUNTIME_DIR");
        assumeTrue(runtime != null && System.getenv("PULSE_SERVER") != null,
                "PIPEWIRE_RUNTIME_DIR and PULSE_SERVER are not set for this JVM (gst-bridge's pom sets them)");
        Path dir = Path.of(runtime);
        assumeTrue(dir.resolve("pulse/native").toString().length() <= MAX_SOCKET_PATH,
                "the checkout's path is too long for a unix socket under " + dir);
        for (String tool : List.of("pipewire", "wireplumber", "pipewire-pulse", "dbus-run-session", "setsid", "pactl",
                "pw-cli")) {
            assumeTrue(onPath(tool), tool + " is not installed (./run-tests installs pipewire, wireplumber, "
                    + "pipewire-pulse, pipewire-bin, pulseaudio-utils and dbus)");
        }
        stopLeftovers(dir);
        deleteTree(dir);
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        HeadlessPipeWire pw = new HeadlessPipeWire(dir);
        Files.createDirectories(pw.home);
        try {
            pw.spawn("pipewire", "pipewire");
            pw.await(() -> Files.exists(dir.resolve("pipewire-0")), "pipewire's socket");
            pw.spawn("wireplumber", "dbus-run-session", "--", "wireplumber");
            pw.spawn("pipewire-pulse", "pipewire-pulse");
            pw.await(() -> pw.run("pactl", "info").code == 0, "pipewire-pulse to answer");
            // WirePlumber's "default" metadata: its policy runs, so streams get linked.
            pw.await(() -> pw.run("pw-cli", "ls", "Metadata").out.contains("\"default\""), "WirePlumber");
        } catch (Exception | AssertionError e) {
            String logs = pw.logs();
            pw.close();
            assumeTrue(false, "a headless PipeWire did not start: " + e.getMessage() + "\n" + logs);
        }
        return pw;
    }

    /**
     * Stops what an earlier run left in this folder (its JVM killed before its processes could be): every process
     * whose XDG_RUNTIME_DIR is this private folder, which only this fixture gives out.
     */
    private static void stopLeftovers(Path dir) {
        String mark = "XDG_RUNTIME_DIR=" + dir + "\0";
        ProcessHandle.allProcesses().forEach(h -> {
            try {
                String env = Files.readString(Path.of("/proc", Long.toString(h.pid()), "environ"),
                        StandardCharsets.ISO_8859_1);
                if (env.startsWith(mark) || env.contains("\0" + mark)) {
                    h.destroyForcibly();
                }
            } catch (IOException | RuntimeException e) {
                // gone, or another user's
            }
        });
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /** The environment a subprocess needs to reach this PipeWire (and not the desktop's). */
    public Map<String, String> environment() {
        return Map.of("XDG_RUNTIME_DIR", dir.toString(), "PIPEWIRE_RUNTIME_DIR", dir.toString(),
                "PULSE_SERVER", "unix:" + dir.resolve("pulse/native"), "HOME", home.toString(),
                "XDG_STATE_HOME", home.resolve("state").toString(), "XDG_CONFIG_HOME", home.resolve("config").toString());
    }

    /**
     * Starts a command in a process group of its own under a small shell that stops the whole group when this JVM
     * goes: a test JVM that crashes (a native library's fault) runs no {@code @AfterAll}, and must still leave no
     * PipeWire behind. {@link #close()} stops the group the same way.
     */
    private void spawn(String log, String... cmd) throws IOException {
        ProcessBuilder b = new ProcessBuilder(watched(cmd));
        b.environment().putAll(environment());
        b.environment().remove("PULSE_SERVER");
        b.environment().remove("DBUS_SESSION_BUS_ADDRESS"); // never the desktop's bus
        b.redirectErrorStream(true).redirectOutput(dir.resolve(log + ".log").toFile());
        processes.add(b.start());
    }

    /** The command under the watching shell: exits with the command's code, or stops the group when we go. */
    private static List<String> watched(String... cmd) {
        StringBuilder quoted = new StringBuilder();
        for (String c : cmd) {
            quoted.append(" '").append(c.replace("'", "'\\''")).append('\'');
        }
        long jvm = ProcessHandle.current().pid();
        String watch = quoted.substring(1) + " & c=$!; while kill -0 " + jvm + " 2>/dev/null && kill -0 $c "
                + "2>/dev/null; do sleep 0.2; done; if kill -0 " + jvm + " 2>/dev/null; then wait $c; exit $?; fi; "
                + "kill -TERM -- -$$";
        return List.of("setsid", "sh", "-c", watch);
    }

    /** A finished command's exit code and output. */
    public record Result(int code, String out, String err) {
    }

    /** Runs a command against this PipeWire and waits for it (at most 10 s). */
    public Result run(String... cmd) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.environment().putAll(environment());
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        b.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = b.start();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return new Result(-1, Files.readString(out), "timed out");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Starts a command against this PipeWire without waiting; the caller stops it ({@link #stop}). */
    public Process launch(Path stdout, String... cmd) throws IOException {
        ProcessBuilder b = new ProcessBuilder(watched(cmd));
        b.environment().putAll(environment());
        b.redirectOutput(stdout.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(
                dir.resolve("launched.log").toFile()));
        return b.start();
    }

    /** The names of PipeWire's nodes now (node.name), from pw-cli. */
    public List<String> nodeNames() throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        for (String line : run("pw-cli", "ls", "Node").out.split("\n")) {
            String t = line.trim();
            if (t.startsWith("node.name = ")) {
                names.add(t.substring("node.name = ".length()).replace("\"", ""));
            }
        }
        return names;
    }

    /** What the sound server's pactl lists (e.g. "sources", "modules"), short form. */
    public String pactlList(String what) throws IOException, InterruptedException {
        return run("pactl", "list", "short", what).out;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private void await(Check c, String what) throws Exception {
        long end = System.nanoTime() + READY.toNanos();
        while (System.nanoTime() < end) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(p.info().command().orElse("a process") + " exited with "
                            + p.exitValue() + " while waiting for " + what);
                }
            }
            if (c.ok()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("waited " + READY.toSeconds() + " s for " + what);
    }

    private String logs() {
        StringBuilder b = new StringBuilder();
        for (String l : List.of("pipewire", "wireplumber", "pipewire-pulse")) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve(l + ".log"), StandardCharsets.UTF_8);
                b.append(l).append(": ").append(String.join("\n  ", lines.subList(Math.max(0, lines.size() - 5),
                        lines.size()))).append('\n');
            } catch (IOException e) {
                // no log
            }
        }
        return b.toString();
    }

    /** Stops a process group that {@link #spawn} started (its leader's pid is the group's id), all members. */
    public static void stop(Process leader) throws InterruptedException, IOException {
        List<ProcessHandle> members = new ArrayList<>(leader.descendants().toList());
        new ProcessBuilder("kill", "-TERM", "--", "-" + leader.pid()).start().waitFor(5, TimeUnit.SECONDS);
        members.add(leader.toHandle());
        for (ProcessHandle m : members) {
            try {
                m.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                m.destroyForcibly();
            }
        }
    }

    @Override
    public void close() {
        // The reverse order of starting: the pulse server and the policy go before the graph they use.
        try {
            for (int i = processes.size() - 1; i >= 0; i--) {
                stop(processes.get(i));
            }
        } catch (IOException e) {
            processes.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
            processes.forEach(Process::destroyForcibly);
        } catch (InterruptedException e) {
            processes.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
            processes.forEach(Process::destroyForcibly);
            Thread.currentThread().interrupt();
        }
        processes.clear();
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
