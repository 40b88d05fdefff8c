package org.hopwire.engine.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.hopwire.engine.testbed.KernelOverFuseTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hopwire emulate}'s files used by ordinary programs in their own processes: the kernel documentation's
 * recipes (mkdir, echo, dd, gst-launch-1.0) as shell commands, with {@code /sys} and {@code /dev} moved under the
 * host's root and nothing else changed, and the file semantics those programs meet (modes, errors, a killed reader).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmulatorFilesTest {
    @TempDir
    Path tmp;
    private Emulator emulator;
    private Path mount;

    @BeforeEach
    void mount() throws Exception {
        KernelOverFuseTestbed.assumeFuse();
        mount = tmp.resolve("usb4");
        emulator = Emulator.start(new Emulator.Options(mount, List.of("alpha", "beta"), CableProfile.UNTHROTTLED,
                EmulatedWorld.Settings.DEFAULT, Optional.empty()));
    }

    @AfterEach
    void unmount() {
        if (emulator != null) {
            emulator.close();
        }
    }

    /** Runs a recipe in bash with {@code /sys/} and {@code /dev/tbstream} moved under {@code root}; its output. */
    private Process recipe(String root, String script, Path log) throws IOException {
        String moved = script.replace("/sys/", mount.resolve(root) + "/sys/")
                .replace("/dev/tbstream", mount.resolve(root) + "/dev/tbstream");
        return new ProcessBuilder("bash", "-euo", "pipefail", "-c", moved).directory(tmp.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Waits until {@code reader} (or a process it started) holds {@code root}'s {@code /dev/tbstream0} open: the
     * receiving side has no RX ring before that, and what is sent earlier may be lost (the kernel page), so a recipe's
     * reader must really have opened before its writer starts. A fixed pause lost that race once in CI, when a
     * gst-launch-1.0 took longer to start.
     */
    private void awaitOpened(Process reader, String root) throws Exception {
        Path device = mount.resolve(root).resolve("dev/tbstream0").toAbsolutePath().normalize();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            assertTrue(reader.isAlive(), "the reader ended before it opened " + device);
            boolean open = java.util.stream.Stream.concat(java.util.stream.Stream.of(reader.toHandle()),
                    reader.descendants()).anyMatch(h -> holds(h.pid(), device));
            if (open) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the reader did not open " + device + " within 20 s");
    }

    private static boolean holds(long pid, Path device) {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).normalize().equals(device);
                } catch (IOException | UnsupportedOperationException e) {
                    return false; // closed meanwhile, or not a link
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            return false; // the process ended meanwhile
        }
    }

    private static void succeeds(Process p, Path log) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ended: " + Files.readString(log));
        assertEquals(0, p.exitValue(), Files.readString(log));
    }

    /** The recipe's receiver side on beta: the stream made and both HopIDs allocated, hence announced. */
    private void announceOnBeta(String name) throws Exception {
        Path log = tmp.resolve("setup.log");
        succeeds(recipe("beta", String.join("\n",
                "mkdir -p /sys/kernel/config/thunderbolt/stream/0-1.0/" + name,
                "echo -1 > /sys/kernel/config/thunderbolt/stream/0-1.0/" + name + "/in_hopid",
                "echo -1 > /sys/kernel/config/thunderbolt/stream/0-1.0/" + name + "/out_hopid"), log), log);
    }

    /** Then, once the announcement has arrived, the sender side on alpha, inheriting the HopIDs by name. */
    private void pairByRecipe(String name) throws Exception {
        announceOnBeta(name);
        Thread.sleep(emulator.world().settings().timing().lastArrival().toMillis() + 100);
        Path log = tmp.resolve("setup.log");
        succeeds(recipe("alpha", "mkdir -p /sys/kernel/config/thunderbolt/stream/0-1.0/" + name, log), log);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private Path randomFile(String name, int bytes) throws IOException {
        byte[] b = new byte[bytes];
        new Random(bytes).nextBytes(b);
        return Files.write(tmp.resolve(name), b);
    }

    @Test
    void shouldCopyAFileBothWaysWithTheCoverLettersDdRecipe() throws Exception {
        Path image = randomFile("nvme0n1", 24 << 20);
        // host2 (beta) receives: HopIDs automatic, then dd from the device.
        Path rlog = tmp.resolve("receiver.log");
        Process receiver = recipe("beta", String.join("\n",
                "mkdir /sys/kernel/config/thunderbolt/stream/0-1.0",
                "mkdir /sys/kernel/config/thunderbolt/stream/0-1.0/backup",
                "echo -1 > /sys/kernel/config/thunderbolt/stream/0-1.0/backup/in_hopid",
                "echo -1 > /sys/kernel/config/thunderbolt/stream/0-1.0/backup/out_hopid",
                "dd if=/dev/tbstream0 of=backup.img bs=256k"), rlog);
        // The recipe's order: host1 starts once host2 has announced its HopIDs (else each would allocate its own).
        Path announced = mount.resolve("beta/sys/kernel/config/thunderbolt/stream/0-1.0/backup/out_hopid");
        Transfers.await(() -> !text(announced).isEmpty() && !text(announced).equals("0"),
                java.time.Duration.ofSeconds(5), "the receiver's HopIDs");
        Thread.sleep(emulator.world().settings().timing().lastArrival().toMillis() + 100);
        // host1 (alpha) sends: mkdir -p inherits the announced HopIDs by name.
        Path slog = tmp.resolve("sender.log");
        Process sender = recipe("alpha", String.join("\n",
                "mkdir -p /sys/kernel/config/thunderbolt/stream/0-1.0/backup",
                "dd if=nvme0n1 of=/dev/tbstream0 bs=256k"), slog);
        succeeds(sender, slog);
        succeeds(receiver, rlog);
        assertEquals(sha256(image), sha256(tmp.resolve("backup.img")), "the copy is the image");
        Path onAlpha = mount.resolve("alpha/sys/kernel/config/thunderbolt/stream/0-1.0/backup");
        Path onBeta = mount.resolve("beta/sys/kernel/config/thunderbolt/stream/0-1.0/backup");
        assertEquals(Files.readString(onBeta.resolve("in_hopid")), Files.readString(onAlpha.resolve("out_hopid")),
                "the sender inherited the receiver's HopIDs, crossed");

        // And back, on the same stream: alpha reads, beta writes (1 MiB blocks this time). The receiver's last close
        // queued a CLOSE towards alpha and holds it up to the drain time: a reader opening on alpha before that would
        // read it as its end of file, on the driver too. So the second copy starts after it.
        Thread.sleep(emulator.world().settings().closeDrain().toMillis() + 200);
        Path back = randomFile("back.img", 9 << 20);
        Process r2 = recipe("alpha", "dd if=/dev/tbstream0 of=returned.img bs=1M", rlog);
        awaitOpened(r2, "alpha"); // the reader opens first, as the driver's comment asks
        Process s2 = recipe("beta", "dd if=back.img of=/dev/tbstream0 bs=1M", slog);
        succeeds(s2, slog);
        succeeds(r2, rlog);
        assertEquals(sha256(back), sha256(tmp.resolve("returned.img")));
    }

    @Test
    void shouldRunTheCameraExamplesPipelinesOnTheDeviceFiles() throws Exception {
        assumeTrue(onPath("gst-launch-1.0"), "needs gst-launch-1.0 (gstreamer1.0-tools)");
        assumeTrue(new ProcessBuilder("gst-inspect-1.0", "jpegenc").start().waitFor() == 0, "needs jpegenc");
        pairByRecipe("camera");
        // The desktop's receiver, its window replaced by a file of raw pictures (no display here).
        Path rlog = tmp.resolve("desktop.log");
        Process desktop = recipe("beta", "gst-launch-1.0 -q filesrc location=/dev/tbstream0 ! jpegdec ! videoconvert"
                + " ! video/x-raw,format=I420 ! filesink location=pictures.i420", rlog);
        awaitOpened(desktop, "beta");
        // The laptop's sender, its camera replaced by the test source at the same size.
        Path slog = tmp.resolve("laptop.log");
        Process laptop = recipe("alpha", "gst-launch-1.0 -q videotestsrc num-buffers=30 ! "
                + "video/x-raw,width=1920,height=1080 ! jpegenc quality=90 ! filesink location=/dev/tbstream0", slog);
        succeeds(laptop, slog);
        succeeds(desktop, rlog);
        assertEquals(30L * 1920 * 1080 * 3 / 2, Files.size(tmp.resolve("pictures.i420")),
                "all 30 pictures decoded on the other host");
    }

    @Test
    void shouldNotLetAKilledReaderSwallowWhatTheNextReaderIsSent() throws Exception {
        pairByRecipe("s");
        // A reader waits in read(2) on a second open (so the device stays open and nothing is lost with the RX
        // ring), and is killed there: its request must end without taking what comes next.
        Path keep = tmp.resolve("keep.log");
        Process holder = recipe("beta", "exec 3</dev/tbstream0; sleep 30", keep);
        for (String signal : List.of("KILL", "INT", "TERM")) {
            Path rlog = tmp.resolve("killed-" + signal + ".log");
            Process killed = recipe("beta", "exec dd if=/dev/tbstream0 of=killed.out bs=4k count=1", rlog);
            Thread.sleep(400);
            assertTrue(killed.isAlive(), "the reader waits in read(2)");
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(killed.pid())).start().waitFor());
            assertTrue(killed.waitFor(5, TimeUnit.SECONDS), "a " + signal + " ends a read waiting on the device");
        }
        Path rlog = tmp.resolve("next.log");
        Process next = recipe("beta", "dd if=/dev/tbstream0 of=next.out bs=4k count=1", rlog);
        awaitOpened(next, "beta");
        Path msg = Files.writeString(tmp.resolve("msg"), "for the next reader");
        Path slog = tmp.resolve("send.log");
        succeeds(recipe("alpha", "dd if=msg of=/dev/tbstream0", slog), slog);
        succeeds(next, rlog);
        assertEquals("for the next reader", Files.readString(tmp.resolve("next.out")));
        holder.destroyForcibly();
    }

    @Test
    void shouldAnswerWithTheDriversErrorsAndModes() throws Exception {
        Path cfg = mount.resolve("alpha/sys/kernel/config/thunderbolt/stream");
        Files.createDirectories(cfg.resolve("0-1.0/x"));
        Path log = tmp.resolve("errors.log");
        Process p = recipe("alpha", String.join("\n",
                "S=/sys/kernel/config/thunderbolt/stream/0-1.0/x",
                "(echo abc > $S/ring_size) 2>/dev/null && exit 10",
                "(echo 99999 > $S/ring_size) 2>/dev/null && exit 11",
                "(echo 5 > $S/index) 2>/dev/null && exit 12",
                "mkdir /sys/kernel/config/thunderbolt/stream/0-1.0/ninechars 2>/dev/null && exit 13",
                "mkdir /sys/bus/thunderbolt/devices/nope 2>/dev/null && exit 14",
                "echo 64 > $S/ring_size",
                "cat $S/ring_size",
                "stat -c '%a %U' /dev/tbstream0 $S/index $S/ring_size /sys/bus/thunderbolt/devices/0-1/unique_id"),
                log);
        succeeds(p, log);
        assertEquals(List.of("64", "600 root", "444 root", "644 root", "444 root"),
                Files.readAllLines(log, StandardCharsets.UTF_8));
        // A non-blocking open with the cable out: ENXIO at once, as the driver answers.
        Files.writeString(mount.resolve("cables/alpha-beta/plugged"), "0\n");
        assertEquals("0\n", Files.readString(mount.resolve("cables/alpha-beta/plugged")));
        Process nb = new ProcessBuilder("python3", "-c", "import os\ntry:\n os.open('" + mount.resolve(
                "alpha/dev/tbstream0") + "', os.O_RDWR|os.O_NONBLOCK)\nexcept OSError as e:\n print(e.errno)")
                .redirectErrorStream(true).start();
        assumeTrue(nb.waitFor(10, TimeUnit.SECONDS) && nb.exitValue() == 0, "needs python3");
        assertEquals("6", new String(nb.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
        assertFalse(Files.exists(mount.resolve("alpha/sys/bus/thunderbolt/devices/0-1")), "the peer is gone");
    }

    @Test
    void shouldLetTheHopIdsGoRightAfterTheLastCloseAndNotWhileADescriptorIsOpen() throws Exception {
        announceOnBeta("s");
        Path dir = mount.resolve("beta/sys/kernel/config/thunderbolt/stream/0-1.0/s");
        Path device = mount.resolve("beta/dev/tbstream0");
        try (java.nio.channels.FileChannel open = java.nio.channels.FileChannel.open(device,
                java.nio.file.StandardOpenOption.READ)) {
            IOException busy = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> Files.writeString(dir.resolve("in_hopid"), "0"));
            assertTrue(String.valueOf(busy.getMessage()).contains("busy"), busy.toString());
        }
        // The driver's last close is over when close(2) returns: the tear-down's next write must not meet EBUSY
        // (FUSE lets go of the file a moment later; the emulator waits for that).
        for (int i = 0; i < 20; i++) {
            java.nio.channels.FileChannel.open(device, java.nio.file.StandardOpenOption.READ).close();
            Files.writeString(dir.resolve("ring_size"), Integer.toString(64 + i));
        }
        Files.writeString(dir.resolve("in_hopid"), "0");
        Files.writeString(dir.resolve("out_hopid"), "0");
        assertEquals("0", text(dir.resolve("in_hopid")));
        Files.delete(dir);
    }

    @Test
    void shouldKeepConfigFsAndDevicesForRootAsTheKernelDoes() throws Exception {
        assumeTrue(onPath("runuser"), "needs runuser (util-linux) to act as another user");
        Path cfg = mount.resolve("alpha/sys/kernel/config/thunderbolt/stream");
        Files.createDirectories(cfg.resolve("0-1.0/s"));
        Path log = tmp.resolve("nobody.log");
        // tmp is 0700 root: the user runs from / and reaches the mount by its absolute path (its parents are
        // searchable: @TempDir makes them 0700, so the mount's own modes are what is tested below them).
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Process p = new ProcessBuilder("runuser", "-u", "nobody", "--", "bash", "-c", String.join("\n",
                "cat " + mount.resolve("alpha/sys/bus/thunderbolt/devices/0-1/device_name"),
                "mkdir " + cfg.resolve("0-1.0/t") + " 2>/dev/null && echo mkdir-allowed",
                "(echo 64 > " + cfg.resolve("0-1.0/s/ring_size") + ") 2>/dev/null && echo write-allowed",
                "(exec 3<" + mount.resolve("alpha/dev/tbstream0") + ") 2>/dev/null && echo open-allowed",
                "echo done")).directory(Path.of("/").toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        succeeds(p, log);
        assertEquals(List.of("beta", "done"), Files.readAllLines(log), "sysfs readable, the rest root's");
    }

    @Test
    void shouldLetTheUserItWasStartedForDoWhatRootMayWithoutRoot() throws Exception {
        assumeTrue(onPath("runuser"), "needs runuser (util-linux) to act as another user");
        emulator.close();
        Path second = tmp.resolve("owned");
        emulator = Emulator.start(new Emulator.Options(second, List.of("alpha", "beta"), CableProfile.UNTHROTTLED,
                EmulatedWorld.Settings.DEFAULT, Optional.empty(), Optional.of(65534)));
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Path cfg = second.resolve("alpha/sys/kernel/config/thunderbolt/stream");
        Path log = tmp.resolve("owner.log");
        Process p = new ProcessBuilder("runuser", "-u", "nobody", "--", "bash", "-euc", String.join("\n",
                "mkdir -p " + cfg.resolve("0-1.0/s"),
                "echo 64 > " + cfg.resolve("0-1.0/s/ring_size"),
                "echo -1 > " + cfg.resolve("0-1.0/s/in_hopid"),
                "echo -1 > " + cfg.resolve("0-1.0/s/out_hopid"),
                "sleep 0.3", // the node is root's until udev (here: the emulator) hands it over
                "exec 3<>" + second.resolve("alpha/dev/tbstream0"),
                "echo opened",
                "(echo 1 > " + second.resolve("alpha/sys/bus/thunderbolt/devices/0-1/device_name") + ") 2>/dev/null"
                        + " && echo sysfs-written",
                "echo 0 > " + second.resolve("cables/alpha-beta/plugged"),
                "cat " + second.resolve("cables/alpha-beta/plugged"))).directory(Path.of("/").toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        succeeds(p, log);
        assertEquals(List.of("opened", "0"), Files.readAllLines(log), "ConfigFS, the device and the cable are the"
                + " user's; sysfs stays read-only");
    }

    @Test
    void shouldGiveDeviceNodesTheirGroupAMomentAfterMkdirAsTheUdevRuleDoes() throws Exception {
        emulator.close();
        Path second = tmp.resolve("grouped");
        emulator = Emulator.start(new Emulator.Options(second, List.of("alpha", "beta"), CableProfile.UNTHROTTLED,
                EmulatedWorld.Settings.DEFAULT, Optional.of(4321)));
        Files.createDirectories(second.resolve("alpha/sys/kernel/config/thunderbolt/stream/0-1.0/s"));
        Path node = second.resolve("alpha/dev/tbstream0");
        assertEquals("600 0", statModeAndGroup(node), "0600 root as the driver makes it");
        Thread.sleep(EmulatorFs.UDEV_DELAY.toMillis() + 100);
        assertEquals("660 4321", statModeAndGroup(node), "then the rule's mode and group");
        Files.setPosixFilePermissions(node, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("644 4321", statModeAndGroup(node), "root may chmod a node");
    }

    private static String statModeAndGroup(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%a %g", file.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
    }

    private static String text(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
