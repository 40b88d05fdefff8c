package org.hopwire.engine.helper;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The privileged helper as a real process, as pkexec would start it: {@code java -cp ... PrivilegedHelper MODE}, with
 * an environment of the test's choosing, its answers read line by line with a bound.
 */
final class HelperRun implements AutoCloseable {
    /** Options that make a small JVM start quickly. */
    static final List<String> QUICK_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
            "-Xmx64m");

    final Process process;
    private final OutputStream in;
    private final BlockingQueue<String> answers = new ArrayBlockingQueue<>(1024);
    private final StringBuffer stderr = new StringBuffer();

    private HelperRun(Process process) {
        this.process = process;
        this.in = process.getOutputStream();
        Thread out = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String line; (line = r.readLine()) != null; ) {
                    answers.add(line);
                }
            } catch (IOException e) {
                // ended
            }
        }, "helper-stdout");
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    stderr.append(line).append('\n');
                }
            } catch (IOException e) {
                // ended
            }
        }, "helper-stderr");
        err.setDaemon(true);
        err.start();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The command that runs the helper in {@code mode} with {@code classPath}. */
    static List<String> command(String classPath, String mode) {
        List<String> c = new ArrayList<>();
        c.add(java());
        c.addAll(QUICK_JVM);
        c.add("-cp");
        c.add(classPath);
        c.add(PrivilegedHelper.class.getName());
        c.add(mode);
        return c;
    }

    /** Starts the helper with exactly {@code env} (plus PATH), as root. */
    static HelperRun start(String mode, Map<String, String> env) throws IOException {
        return start(command(System.getProperty("java.class.path"), mode), env);
    }

    static HelperRun start(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().putAll(env);
        return new HelperRun(pb.start());
    }

    /** Sends one line (a newline added) and returns the answer. */
    String ask(String line) throws Exception {
        return ask(line.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends raw bytes and a newline and returns the answer. */
    String ask(byte[] line) throws Exception {
        in.write(line);
        in.write('\n');
        in.flush();
        String answer = answers.poll(10, TimeUnit.SECONDS);
        assertNotNull(answer, () -> "no answer to '" + new String(line, StandardCharsets.ISO_8859_1) + "'; stderr: "
                + stderr);
        return answer;
    }

    String stderr() {
        return stderr.toString();
    }

    void closeStdin() throws IOException {
        in.close();
    }

    /** Waits for the exit, at most {@code seconds}: its status, or -1 if still running. */
    int awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Copies this test run's class path (folders and jars) into {@code dir}, readable by every user, so another user
     * can run the same classes (the local Maven repository is usually its owner's alone). Returns the new class path.
     */
    static String readableClassPath(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(":")) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
                continue;
            }
            Path to = dir.resolve((i++) + "-" + from.getFileName());
            if (Files.isDirectory(from)) {
                try (Stream<Path> all = Files.walk(from)) {
                    for (Path p : (Iterable<Path>) all::iterator) {
                        Path target = to.resolve(from.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
            entries.add(to.toString());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x"
                        : "rw-r--r--"));
            }
        }
        return String.join(":", entries);
    }
}
