package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link ErrnoLocaleTest} in a JVM of its own under a German locale: prints, one {@code key=value} a line,
 * the errno names our system calls reported and the message Java's own file API gives for the same failure.
 *
 * <p>Arguments: an empty directory, and a FIFO nobody has open.
 */
final class ErrnoLocaleProbe {
    private ErrnoLocaleProbe() {
    }

    /** A call that is expected to fail. */
    @FunctionalInterface
    private interface Call {
        void run() throws IOException;
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        Path fifo = Path.of(args[1]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("rmdir-root=" + errno(() -> ConfigFs.DIRECT.rmdir(Path.of("/"))));
        out.println("rmdir-dot=" + errno(() -> ConfigFs.DIRECT.rmdir(dir.resolve("."))));
        out.println("open-fifo=" + errno(() -> LinuxCalls.close(LinuxCalls.open(fifo,
                LinuxCalls.O_WRONLY | LinuxCalls.O_NONBLOCK | LinuxCalls.O_CLOEXEC))));
        String java;
        try {
            Files.delete(Path.of("/"));
            java = "(deleted /?)";
        } catch (IOException e) {
            java = e.getMessage();
        }
        out.println("java=" + java.replace('\n', ' '));
    }

    private static String errno(Call call) {
        try {
            call.run();
            return "(no error)";
        } catch (SyscallException e) {
            return e.errno().name();
        } catch (IOException e) {
            return "(not a SyscallException: " + e + ")";
        }
    }
}
