package org.hopwire.engine.fabric.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The errno of real system calls arrives as a number, whatever language the system speaks. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LinuxCallsTest {
    @TempDir
    Path dir;

    private static Errno errnoOf(Executable call) {
        return assertThrows(SyscallException.class, call).errno();
    }

    @Test
    void shouldReportEexistForMkdirOfAnExistingDirectory() {
        assertEquals(Errno.EEXIST, errnoOf(() -> LinuxCalls.mkdir(dir)));
    }

    @Test
    void shouldReportEnoentForMkdirInAMissingParent() {
        assertEquals(Errno.ENOENT, errnoOf(() -> LinuxCalls.mkdir(dir.resolve("missing/child"))));
    }

    @Test
    void shouldMakeAndRemoveADirectory() throws Exception {
        Path child = dir.resolve("child");
        LinuxCalls.mkdir(child);
        assertEquals(true, Files.isDirectory(child));
        LinuxCalls.rmdir(child);
        assertFalse(Files.exists(child));
    }

    @Test
    void shouldReportEnotemptyForRmdirOfADirectoryWithEntries() throws Exception {
        Files.createFile(dir.resolve("entry"));
        assertEquals(Errno.ENOTEMPTY, errnoOf(() -> LinuxCalls.rmdir(dir)));
    }

    @Test
    void shouldReportEbusyForRmdirOfTheRoot() {
        assertEquals(Errno.EBUSY, errnoOf(() -> LinuxCalls.rmdir(Path.of("/"))));
    }

    @Test
    void shouldReportEinvalForRmdirOfDot() {
        assertEquals(Errno.EINVAL, errnoOf(() -> LinuxCalls.rmdir(dir.resolve("."))));
    }

    @Test
    void shouldReportEnxioForANonBlockingWriteOnlyOpenOfAFifoWithoutReader() throws Exception {
        // The same answer the driver gives a non-blocking open while no peer is connected.
        Path fifo = Fifos.make(dir.resolve("fifo"));
        SyscallException e = assertThrows(SyscallException.class,
                () -> LinuxCalls.open(fifo, LinuxCalls.O_WRONLY | LinuxCalls.O_NONBLOCK | LinuxCalls.O_CLOEXEC));
        assertEquals(Errno.ENXIO, e.errno());
        assertEquals(6, e.number());
    }

    @Test
    void shouldWriteAnAttributeAsTheValueAndANewlineInOneWrite() throws Exception {
        // Every write(2) to /proc/thread-self/comm replaces the thread's name with what that one write brought,
        // so the name shows whether value and newline went together. A thread of our own carries the change.
        String comm = CompletableFuture.supplyAsync(() -> {
            try {
                LinuxCalls.writeAttribute(Path.of("/proc/thread-self/comm"), "hw-attr");
                return Files.readString(Path.of("/proc/thread-self/comm"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> new Thread(r, "attribute-writer").start()).get(10, TimeUnit.SECONDS);
        // The kernel adds a newline of its own when the name is read back.
        assertEquals("hw-attr\n\n", comm);
    }

    @Test
    void shouldOverwriteAnAttributeInPlaceWithoutCreatingOrTruncating() throws Exception {
        Path attr = dir.resolve("throttling");
        Files.writeString(attr, "1000000\n");
        LinuxCalls.writeAttribute(attr, "512");
        // ConfigFS attributes take a whole value per write; on a plain file the old tail shows no O_TRUNC.
        assertEquals("512\n000\n", Files.readString(attr));
        assertEquals(Errno.ENOENT, errnoOf(() -> LinuxCalls.writeAttribute(dir.resolve("missing"), "1")));
        assertFalse(Files.exists(dir.resolve("missing")));
    }
}
