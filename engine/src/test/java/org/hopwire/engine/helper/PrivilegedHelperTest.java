package org.hopwire.engine.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The privileged helper as the process pkexec starts, run as root against a ConfigFS tree of plain folders (through
 * the test override of its root): what it does, and every kind of request it refuses.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrivilegedHelperTest {
    private static final String OK = "ok";
    private static final String EPERM = "err 1";
    private static final String ENOENT = "err 2";
    private static final String EINVAL = "err 22";
    private static final String ERANGE = "err 34";
    private static final String ENAMETOOLONG = "err 36";
    private static final String ENOSYS = "err 38";
    private static final String EBADMSG = "err 74";
    private static final String EMSGSIZE = "err 90";
    private static final String ENOTDIR = "err 20";
    private static final String ELOOP = "err 40";

    @TempDir
    Path tmp;
    private Path root;
    private Path outside;

    @BeforeEach
    void tree() throws Exception {
        assumeTrue(HelperRun.runningAsRoot(), "the helper refuses to run unless root; these tests run it as root");
        root = Files.createDirectories(tmp.resolve("config/thunderbolt/stream"));
        outside = Files.createDirectories(tmp.resolve("outside"));
    }

    private HelperRun helper() throws Exception {
        return HelperRun.start("configfs", Map.of(PrivilegedHelper.ROOT_OVERRIDE_ENV, root.toString()));
    }

    /** Everything below {@code tmp}, to see that a refused request left no trace anywhere. */
    private List<String> everything() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            return s.map(p -> tmp.relativize(p).toString()).sorted().toList();
        }
    }

    /** Plain folders have no attributes; ConfigFS makes them at mkdir. */
    private void attributes(Path stream) throws Exception {
        for (String a : List.of("in_hopid", "out_hopid", "ring_size", "throttling", "index")) {
            Files.writeString(stream.resolve(a), "0\n");
        }
    }

    @Test
    void shouldCreateWriteAndRemoveGroupsAndStreamsInTheTree() throws Exception {
        try (HelperRun h = helper()) {
            assertEquals(OK, h.ask("mkdir 0-1.0"));
            assertTrue(Files.isDirectory(root.resolve("0-1.0")));
            assertEquals(OK, h.ask("mkdir 0-1.0 hwctl"));
            Path stream = root.resolve("0-1.0/hwctl");
            assertTrue(Files.isDirectory(stream));
            attributes(stream);
            assertEquals(OK, h.ask("write 0-1.0 hwctl ring_size 512"));
            assertEquals("512\n", Files.readString(stream.resolve("ring_size")), "the value and a newline");
            assertEquals(OK, h.ask("write 0-1.0 hwctl throttling 16776960"));
            assertEquals(OK, h.ask("write 0-1.0 hwctl in_hopid -1"));
            assertEquals("-1\n", Files.readString(stream.resolve("in_hopid")));
            assertEquals(OK, h.ask("write 0-1.0 hwctl out_hopid 2047"));
            assertEquals(OK, h.ask("mkdir 0-ff3.1"));
            assertEquals(OK, h.ask("mkdir 0-ff3.1 Data_1-x"));
            assertEquals("err 17", h.ask("mkdir 0-1.0 hwctl"), "the call's own errno: EEXIST");
            assertEquals(ENOENT, h.ask("mkdir 0-2.0 s"), "no group: ENOENT from mkdirat");
            assertEquals("err 39", h.ask("rmdir 0-1.0 hwctl"), "ENOTEMPTY, as rmdir of a full folder gives");
            try (Stream<Path> s = Files.list(stream)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            assertEquals(ENOENT, h.ask("write 0-1.0 hwctl ring_size 64"), "an attribute is never created");
            assertFalse(Files.exists(stream.resolve("ring_size")));
            assertEquals(OK, h.ask("rmdir 0-1.0 hwctl"));
            assertEquals(OK, h.ask("rmdir 0-1.0"));
            assertFalse(Files.exists(root.resolve("0-1.0")));
            h.closeStdin();
            assertEquals(0, h.awaitExit(10), "exits with 0 when stdin ends; stderr: " + h.stderr());
        }
    }

    @Test
    void shouldRefusePathTraversalAndAbsolutePaths() throws Exception {
        Files.createDirectories(root.resolve("0-1.0/s"));
        attributes(root.resolve("0-1.0/s"));
        List<String> before = everything();
        try (HelperRun h = helper()) {
            assertEquals(EINVAL, h.ask("mkdir .."));
            assertEquals(EINVAL, h.ask("mkdir ../escape"));
            assertEquals(EINVAL, h.ask("mkdir /tmp/escape"));
            assertEquals(EINVAL, h.ask("mkdir " + outside.resolve("x")));
            assertEquals(EINVAL, h.ask("rmdir ."));
            assertEquals(EINVAL, h.ask("mkdir 0-1.0 .."));
            assertEquals(EINVAL, h.ask("mkdir 0-1.0 ."));
            assertEquals(EINVAL, h.ask("mkdir 0-1.0 ../../x"));
            assertEquals(EINVAL, h.ask("mkdir 0-1.0 a/b"));
            assertEquals(EINVAL, h.ask("mkdir 0-1.0/s"), "a path in one word is not a service name");
            assertEquals(EINVAL, h.ask("rmdir 0-1.0/s"));
            assertEquals(EINVAL, h.ask("rmdir 0-1.0 /s"));
            assertEquals(EINVAL, h.ask("write 0-1.0 ../s ring_size 64"));
            assertEquals(EPERM, h.ask("write 0-1.0 s ../../../../etc/passwd 1"));
            assertEquals(EPERM, h.ask("write 0-1.0 s /etc/passwd 1"));
            assertEquals(EBADMSG, h.ask("write 0-1.0 s ring_size 64 extra"));
        }
        assertEquals(before, everything(), "nothing made, removed or written");
        assertEquals("0\n", Files.readString(root.resolve("0-1.0/s/ring_size")));
    }

    @Test
    void shouldRefuseNamesNotOfTheDriversForm() throws Exception {
        Files.createDirectories(root.resolve("0-1.0"));
        List<String> before = everything();
        try (HelperRun h = helper()) {
            assertEquals(ENAMETOOLONG, h.ask("mkdir 0-1.0 abcdefghi"), "9 characters");
            assertEquals(ENAMETOOLONG, h.ask("mkdir 0-1.0 " + "a".repeat(200)));
            assertEquals(EINVAL, h.ask("mkdir 0-1.0 ab.c"));
            assertEquals(EINVAL, h.ask("mkdir 0-1.0 a*b"));
            assertEquals(EINVAL, h.ask("mkdir 0-1.0 $(id)"));
            assertEquals(EBADMSG, h.ask("mkdir 0-1.0 caf\u00e9"), "not ASCII");
            assertEquals(EBADMSG, h.ask("mkdir 0-1.0 "), "an empty name");
            assertEquals(EBADMSG, h.ask("mkdir  0-1.0"), "an empty word");
            assertEquals(EINVAL, h.ask("mkdir 0-1F.0"), "upper-case hex never attaches");
            assertEquals(EINVAL, h.ask("mkdir 0-01.0"), "a leading zero never attaches");
            assertEquals(EINVAL, h.ask("mkdir x0-1.0"));
            assertEquals(EINVAL, h.ask("mkdir 0-1"));
            assertEquals(EINVAL, h.ask("mkdir 0-0x1.0"));
            assertEquals(EINVAL, h.ask("mkdir 4294967296-1.0"), "a domain beyond 32 bits");
            assertEquals(EINVAL, h.ask("mkdir 0-12345678901234567.0"), "a route beyond 64 bits");
            assertEquals(EINVAL, h.ask("mkdir stream"));
        }
        assertEquals(before, everything());
        assertEquals(OK, okAfterAll(), "a good name still passes");
    }

    private String okAfterAll() throws Exception {
        try (HelperRun h = helper()) {
            return h.ask("mkdir 4294967295-ffffffffffffffff.4294967295");
        }
    }

    @Test
    void shouldRefuseValuesOutsideTheDriversRangesAndAttributesItDoesNotHave() throws Exception {
        Path s = Files.createDirectories(root.resolve("0-1.0/s"));
        attributes(s);
        try (HelperRun h = helper()) {
            for (String hop : List.of("in_hopid", "out_hopid")) {
                for (String bad : List.of("1", "7", "-2", "2048", "100000")) {
                    assertEquals(EINVAL, h.ask("write 0-1.0 s " + hop + " " + bad), hop + " " + bad);
                }
                assertEquals(ERANGE, h.ask("write 0-1.0 s " + hop + " 99999999999"), "beyond int: ERANGE");
                assertEquals(ERANGE, h.ask("write 0-1.0 s " + hop + " " + "9".repeat(40)));
                for (String good : List.of("-1", "0", "8", "2047")) {
                    assertEquals(OK, h.ask("write 0-1.0 s " + hop + " " + good), hop + " " + good);
                }
            }
            assertEquals(EINVAL, h.ask("write 0-1.0 s ring_size 31"));
            assertEquals(EINVAL, h.ask("write 0-1.0 s ring_size 4097"));
            assertEquals(EINVAL, h.ask("write 0-1.0 s ring_size -1"));
            assertEquals(ERANGE, h.ask("write 0-1.0 s ring_size 4294967296"));
            assertEquals(OK, h.ask("write 0-1.0 s ring_size 32"));
            assertEquals(OK, h.ask("write 0-1.0 s ring_size 4096"));
            assertEquals(EINVAL, h.ask("write 0-1.0 s throttling -1"));
            assertEquals(EINVAL, h.ask("write 0-1.0 s throttling 16776961"));
            assertEquals(OK, h.ask("write 0-1.0 s throttling 0"));
            for (String notANumber : List.of("abc", "+5", "010", "-0x1", "1e3", "-", "8;id")) {
                assertEquals(EINVAL, h.ask("write 0-1.0 s ring_size " + notANumber), notANumber);
            }
            assertEquals(EPERM, h.ask("write 0-1.0 s index 3"), "index is read-only");
            assertEquals(EPERM, h.ask("write 0-1.0 s uevent add"));
            assertEquals(EPERM, h.ask("write 0-1.0 s RING_SIZE 64"));
        }
        assertEquals("0\n", Files.readString(s.resolve("index")));
        assertEquals("0\n", Files.readString(s.resolve("throttling")), "only the good values arrived");
        assertEquals("4096\n", Files.readString(s.resolve("ring_size")));
    }

    @Test
    void shouldNeverFollowASymbolicLink() throws Exception {
        Path target = Files.createDirectories(outside.resolve("group"));
        Files.createDirectories(outside.resolve("group/s"));
        attributes(outside.resolve("group/s"));
        Files.writeString(outside.resolve("secret"), "keep\n");
        // A link as the service folder, as the stream folder, and as an attribute.
        Files.createSymbolicLink(root.resolve("0-2.0"), target);
        Path group = Files.createDirectories(root.resolve("0-1.0"));
        Files.createSymbolicLink(group.resolve("lnk"), target.resolve("s"));
        Path stream = Files.createDirectories(group.resolve("s"));
        attributes(stream);
        Files.delete(stream.resolve("ring_size"));
        Files.createSymbolicLink(stream.resolve("ring_size"), outside.resolve("secret"));
        List<String> before = everything();
        try (HelperRun h = helper()) {
            assertEquals(ENOTDIR, h.ask("mkdir 0-2.0 x"), "the service folder is a link");
            assertEquals(ENOTDIR, h.ask("write 0-2.0 s ring_size 64"));
            assertEquals(ENOTDIR, h.ask("rmdir 0-2.0 s"));
            assertEquals(ENOTDIR, h.ask("rmdir 0-2.0"), "a link is not removed as a folder");
            assertEquals(ENOTDIR, h.ask("write 0-1.0 lnk ring_size 64"), "the stream folder is a link");
            assertEquals(ENOTDIR, h.ask("rmdir 0-1.0 lnk"));
            assertEquals(ELOOP, h.ask("write 0-1.0 s ring_size 64"), "the attribute is a link");
        }
        assertEquals(before, everything());
        assertEquals("keep\n", Files.readString(outside.resolve("secret")));
        assertEquals("0\n", Files.readString(outside.resolve("group/s/ring_size")));
        assertTrue(Files.isSymbolicLink(root.resolve("0-2.0")));
    }

    @Test
    void shouldNotFollowALinkOnTheWayToItsRoot() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real/stream"));
        Files.createSymbolicLink(tmp.resolve("linked"), tmp.resolve("real"));
        try (HelperRun h = HelperRun.start("configfs", Map.of(PrivilegedHelper.ROOT_OVERRIDE_ENV,
                tmp.resolve("linked/stream").toString()))) {
            assertEquals(ENOTDIR, h.ask("mkdir 0-1.0"));
        }
        try (HelperRun h = HelperRun.start("configfs", Map.of(PrivilegedHelper.ROOT_OVERRIDE_ENV,
                tmp.resolve("real/../real/stream").toString()))) {
            assertEquals(EINVAL, h.ask("mkdir 0-1.0"), "a root with '..' in it");
        }
        try (Stream<Path> s = Files.list(real)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void shouldRefuseUnknownCommandsOverlongLinesAndGarbageAndGoOn() throws Exception {
        List<String> before = everything();
        try (HelperRun h = helper()) {
            assertEquals(ENOSYS, h.ask("chmod 0-1.0"));
            assertEquals(ENOSYS, h.ask("MKDIR 0-1.0"));
            assertEquals(ENOSYS, h.ask("load"), "load belongs to the other mode");
            assertEquals(EBADMSG, h.ask(""));
            assertEquals(EBADMSG, h.ask(" mkdir 0-1.0"));
            assertEquals(EBADMSG, h.ask("mkdir 0-1.0 "));
            assertEquals(EBADMSG, h.ask("mkdir"));
            assertEquals(EBADMSG, h.ask("mkdir 0-1.0 a b"));
            assertEquals(EBADMSG, h.ask("write 0-1.0 s ring_size"));
            assertEquals(EBADMSG, h.ask("mkdir 0-1.0\r"), "a carriage return");
            assertEquals(EBADMSG, h.ask("mkdir\t0-1.0"));
            assertEquals(EBADMSG, h.ask(new byte[] {'m', 'k', 'd', 'i', 'r', ' ', '0', 0, '-', '1', '.', '0'}), "NUL");
            assertEquals(EBADMSG, h.ask(new byte[] {(byte) 0xff, (byte) 0xfe, 0x01, (byte) 0x80}));
            assertEquals(EMSGSIZE, h.ask("mkdir 0-1.0 " + "a".repeat(300)));
            assertEquals(EMSGSIZE, h.ask("x".repeat(2 << 20)), "2 MiB without a newline, kept in bounded memory");
            assertEquals(OK, h.ask("mkdir 0-1.0"), "after all that, a good request still works");
            assertEquals(OK, h.ask("rmdir 0-1.0"));
            h.closeStdin();
            assertEquals(0, h.awaitExit(10));
            assertTrue(h.stderr().contains("refused (ENOSYS): unknown command"), h.stderr());
        }
        assertEquals(before, everything());
    }

    @Test
    void shouldIgnoreTheRootOverrideWhenStartedByPkexec() throws Exception {
        assumeFalse(Files.exists(PrivilegedHelper.CONFIGFS_ROOT), "this machine has the driver's ConfigFS: the"
                + " test would change it");
        try (HelperRun h = HelperRun.start("configfs", Map.of(PrivilegedHelper.ROOT_OVERRIDE_ENV, root.toString(),
                PrivilegedHelper.PKEXEC_UID, "1000"))) {
            assertEquals(ENOENT, h.ask("mkdir 0-1.0"), "went to the fixed root, which does not exist here");
            h.closeStdin();
            assertEquals(0, h.awaitExit(10));
            assertTrue(h.stderr().contains("ignoring " + PrivilegedHelper.ROOT_OVERRIDE_ENV), h.stderr());
        }
        assertFalse(Files.exists(root.resolve("0-1.0")), "the override's tree was not touched");
    }

    @Test
    void shouldRefuseToRunAsAnotherUserThanRoot() throws Exception {
        assumeTrue(HelperRun.onPath("runuser"), "needs runuser (util-linux) to run the helper as another user");
        String cp = HelperRun.readableClassPath(tmp.resolve("cp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> command = new java.util.ArrayList<>(List.of("runuser", "-u", "nobody", "--"));
        command.addAll(HelperRun.command(cp, "configfs"));
        Map<String, String> env = new HashMap<>();
        env.put(PrivilegedHelper.ROOT_OVERRIDE_ENV, root.toString());
        try (HelperRun h = HelperRun.start(command, env)) {
            assertEquals(PrivilegedHelper.EXIT_NOT_ROOT, h.awaitExit(20), h.stderr());
            assertTrue(h.stderr().contains("refusing to run as uid 65534"), h.stderr());
            assertTrue(h.stderr().contains("pkexec"), h.stderr());
        }
    }

    @Test
    void shouldSayHowToUseItWithoutAMode() throws Exception {
        try (HelperRun h = HelperRun.start(HelperRun.command(System.getProperty("java.class.path"), "shell"),
                Map.of())) {
            assertEquals(PrivilegedHelper.EXIT_USAGE, h.awaitExit(20));
            assertTrue(h.stderr().contains("usage: hopwire-helper configfs|v4l2loopback"), h.stderr());
        }
    }

    @Test
    void shouldExitWhenItsParentDies() throws Exception {
        // A parent process that starts the helper with pipes, says the helper's pid, and waits: then it is killed.
        List<String> parent = new java.util.ArrayList<>();
        parent.add(HelperRun.java());
        parent.addAll(HelperRun.QUICK_JVM);
        parent.addAll(List.of("-cp", System.getProperty("java.class.path"), HelperParent.class.getName(),
                root.toString()));
        Process p = new ProcessBuilder(parent).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            long pid = Long.parseLong(r.readLine().trim());
            assertEquals("ok", r.readLine(), "the helper answered its parent");
            Optional<ProcessHandle> helper = ProcessHandle.of(pid);
            assertTrue(helper.isPresent() && helper.get().isAlive());
            p.destroyForcibly(); // SIGKILL: the parent gets no chance to close anything itself
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (helper.get().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(helper.get().isAlive(), "the helper ended within 5 s of its parent");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void shouldExitAtOnceWhenStdinIsClosedWithoutARequest() throws Exception {
        try (HelperRun h = helper()) {
            h.closeStdin();
            assertEquals(0, h.awaitExit(10), h.stderr());
        }
        try (HelperRun h = helper()) {
            h.process.getOutputStream().write("mkdir 0-1.0".getBytes(StandardCharsets.US_ASCII));
            h.closeStdin();
            assertEquals(0, h.awaitExit(10), h.stderr());
        }
        assertFalse(Files.exists(root.resolve("0-1.0")), "an unfinished line is never run");
    }

    // ---- v4l2loopback -------------------------------------------------------------------------------------------

    /** A modprobe that records its arguments and environment and exits with the given statuses. */
    private Path fakeModprobe(int dryRunStatus, int loadStatus) throws Exception {
        Path log = tmp.resolve("modprobe.log");
        Path script = tmp.resolve("modprobe");
        Files.writeString(script, String.join("\n",
                "#!/bin/sh",
                "printf '%s|' \"$@\" >> " + log,
                "echo >> " + log,
                "tr '\\0' '\\n' < /proc/$$/environ | grep -v '^$' | sort | tr '\\n' ' ' >> " + log,
                "echo >> " + log,
                "echo modprobe says hello",
                "case \"$1\" in --dry-run) exit " + dryRunStatus + ";; esac",
                "exit " + loadStatus, ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void shouldLoadV4l2LoopbackWithFixedOptionsAndACleanEnvironment() throws Exception {
        Path modprobe = fakeModprobe(0, 0);
        try (HelperRun h = HelperRun.start("v4l2loopback", Map.of(PrivilegedHelper.MODPROBE_OVERRIDE_ENV,
                modprobe.toString(), "LD_PRELOAD", "/tmp/evil.so", "HOPWIRE_MARKER", "leak"))) {
            assertEquals(ENOSYS, h.ask("mkdir 0-1.0"), "only load in this mode");
            assertEquals(ENOSYS, h.ask("unload"));
            assertEquals(EBADMSG, h.ask("load card_label=x"), "no options from the client");
            assertEquals(EBADMSG, h.ask("load "));
            assertEquals(OK, h.ask("load"));
            h.closeStdin();
            assertEquals(0, h.awaitExit(10));
            assertTrue(h.stderr().contains("modprobe says hello"), "modprobe's output went to stderr: " + h.stderr());
        }
        List<String> log = Files.readAllLines(tmp.resolve("modprobe.log"));
        assertEquals(List.of("--dry-run|--quiet|v4l2loopback|", "PATH=/usr/sbin:/usr/bin:/sbin:/bin ",
                "v4l2loopback|devices=1|exclusive_caps=1|card_label=Hopwire camera|",
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin "), log, "first whether it is installed, then the load; only PATH");
    }

    @Test
    void shouldAnswerWhyV4l2LoopbackDidNotLoad() throws Exception {
        Path notInstalled = fakeModprobe(1, 0);
        try (HelperRun h = HelperRun.start("v4l2loopback", Map.of(PrivilegedHelper.MODPROBE_OVERRIDE_ENV,
                notInstalled.toString()))) {
            assertEquals(ENOENT, h.ask("load"), "not installed");
        }
        Path failing = fakeModprobe(0, 1);
        try (HelperRun h = HelperRun.start("v4l2loopback", Map.of(PrivilegedHelper.MODPROBE_OVERRIDE_ENV,
                failing.toString()))) {
            assertEquals("err 5", h.ask("load"), "installed, but the load failed");
        }
    }

    @Test
    void shouldIgnoreTheModprobeOverrideWhenStartedByPkexec() throws Exception {
        assumeTrue(PrivilegedHelper.MODPROBE.stream().noneMatch(Files::isExecutable), "this machine has modprobe:"
                + " the test would load a module");
        Path modprobe = fakeModprobe(0, 0);
        try (HelperRun h = HelperRun.start("v4l2loopback", Map.of(PrivilegedHelper.MODPROBE_OVERRIDE_ENV,
                modprobe.toString(), PrivilegedHelper.PKEXEC_UID, "1000"))) {
            assertEquals("err 8", h.ask("load"), "the fixed modprobe, missing here: ENOEXEC");
        }
        assertFalse(Files.exists(tmp.resolve("modprobe.log")), "the override was not run");
    }
}
