package org.hopwire.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.testbed.KernelOverFuseTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hopwire emulate} as a process: it serves, stops on SIGTERM leaving nothing mounted, and takes its folder
 * back after a run killed with SIGKILL left a dead mount there.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmulateCommandTest {
    @TempDir
    Path tmp;
    private Process process;

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        // A failure after a SIGKILL must not leave a dead mount behind.
        Path mount = tmp.resolve("usb4");
        if (mounted(mount)) {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process emulate(Path mount, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "emulate", "--mount", mount.toString(), "--preset", "unthrottled")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return process;
    }

    private static boolean mounted(Path dir) throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .anyMatch(l -> l.split(" ")[1].equals(dir.toAbsolutePath().toString()));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void shouldUnmountOnSigtermAndTakeOverAFolderAKilledRunLeftMounted() throws Exception {
        KernelOverFuseTestbed.assumeFuse();
        Path mount = tmp.resolve("usb4");
        Path log = tmp.resolve("emulate.log");
        Process p = emulate(mount, log);
        Transfers.await(() -> read(log).contains("Stop with Ctrl+C"), Duration.ofSeconds(60), "the emulator to serve");
        assertTrue(read(log).contains(mount.resolve("alpha") + "   /sys and /dev of alpha"), read(log));
        assertEquals("beta\n", Files.readString(mount.resolve("alpha/sys/bus/thunderbolt/devices/0-1/device_name")));

        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped: " + read(log));
        assertFalse(mounted(mount), "unmounted");
        try (var left = Files.list(mount)) {
            assertEquals(0, left.count(), "the folder is empty again");
        }

        // A run killed without a chance to unmount leaves a dead mount; the next run detaches it and serves again.
        p = emulate(mount, log);
        Transfers.await(() -> read(log).contains("Stop with Ctrl+C"), Duration.ofSeconds(60), "the emulator to serve");
        p.destroyForcibly(); // SIGKILL
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(mounted(mount), "a killed server leaves its mount behind");
        Files.delete(log);
        p = emulate(mount, log);
        Transfers.await(() -> read(log).contains("Stop with Ctrl+C") || !process.isAlive(), Duration.ofSeconds(60),
                "the emulator to serve again");
        assertTrue(Files.isDirectory(mount.resolve("beta/sys/kernel/config/thunderbolt/stream")), read(log));
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertFalse(mounted(mount), "unmounted");
    }
}
