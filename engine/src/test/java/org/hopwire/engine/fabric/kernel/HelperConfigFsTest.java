package org.hopwire.engine.fabric.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.NameTooLongException;
import org.hopwire.engine.fabric.PermissionDeniedException;
import org.hopwire.engine.fabric.StreamSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app's side of the privileged helper, with shell scripts standing in for pkexec and the helper: one helper per
 * run, started when first needed and again after it died, answers mapped to errnos as the direct calls report them,
 * requests one at a time, bounded waits, and pkexec's own outcomes told in words.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HelperConfigFsTest {
    @TempDir
    Path tmp;

    private Path root() throws Exception {
        return Files.createDirectories(tmp.resolve("root/sys/kernel/config/thunderbolt/stream"));
    }

    /** A shell script as the launcher; the mode comes as its first argument. */
    private String script(String name, String... lines) throws Exception {
        Path s = tmp.resolve(name);
        Files.writeString(s, "#!/bin/bash\n" + String.join("\n", lines) + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        return s.toString();
    }

    /** A helper that logs its starts and requests and answers ok, or err 36 to a long stream name. */
    private String answering() throws Exception {
        return script("answering", "echo \"start $1\" >> " + tmp.resolve("starts"),
                "while IFS= read -r l; do",
                "  echo \"$l\" >> " + tmp.resolve("requests"),
                "  case \"$l\" in 'mkdir 0-1.0 abcdefghij') echo 'err 36';; *) echo ok;; esac",
                "done");
    }

    @Test
    void shouldStartTheHelperOnceWhenFirstNeededAndTypeItsErrnosAsTheDirectCallsDo() throws Exception {
        Path root = root();
        HelperConfigFs fs = new HelperConfigFs(root, HelperLauncher.of(answering()));
        assertTrue(fs.helperProcess().isEmpty(), "nothing started before the first change");
        try (KernelFabric fabric = new KernelFabric(KernelPaths.under(tmp.resolve("root")), fs, DeviceOpener.DIRECT,
                Duration.ofMillis(50))) {
            assertFalse(Files.exists(tmp.resolve("starts")));
            NameTooLongException e = assertThrows(NameTooLongException.class,
                    () -> fabric.createStream("0-1.0", StreamSpec.automatic("abcdefghij")));
            assertEquals(Errno.ENAMETOOLONG, e.errno());
            fs.mkdir(root.resolve("0-2.0"));
            fs.write(root.resolve("0-2.0/s/in_hopid"), "-1");
            fs.rmdir(root.resolve("0-2.0/s"));
            assertEquals(List.of("start configfs"), Files.readAllLines(tmp.resolve("starts")), "started once");
            assertEquals(List.of("mkdir 0-1.0", "mkdir 0-1.0 abcdefghij", "rmdir 0-1.0", "mkdir 0-2.0",
                    "write 0-2.0 s in_hopid -1", "rmdir 0-2.0 s"), Files.readAllLines(tmp.resolve("requests")),
                    "relative to the root; the group made for the failed stream removed again");
            ProcessHandle helper = fs.helperProcess().orElseThrow();
            assertTrue(helper.isAlive());
            fabric.close();
            assertFalse(helper.isAlive(), "closing the fabric closed the helper's stdin and waited for its end");
        }
    }

    @Test
    void shouldRefusePathsOutsideTheRootWithoutAskingTheHelper() throws Exception {
        Path root = root();
        try (HelperConfigFs fs = new HelperConfigFs(root, HelperLauncher.of(answering()))) {
            for (Path bad : List.of(root, root.resolve("a/b/c"), tmp.resolve("elsewhere/0-1.0"),
                    root.resolve("0-1.0/a b"))) {
                SyscallException e = assertThrows(SyscallException.class, () -> fs.mkdir(bad));
                assertEquals(Errno.EINVAL, e.errno(), bad.toString());
            }
            assertEquals(Errno.EINVAL, assertThrows(SyscallException.class,
                    () -> fs.write(root.resolve("0-1.0/s/ring_size"), "64\nrmdir 0-1.0")).errno());
            assertTrue(fs.helperProcess().isEmpty(), "no helper was needed");
        }
    }

    @Test
    void shouldStartANewHelperWhenTheLastOneDied() throws Exception {
        Path root = root();
        String once = script("once", "echo start >> " + tmp.resolve("starts"), "read -r l; echo ok; exit 0");
        try (HelperConfigFs fs = new HelperConfigFs(root, HelperLauncher.of(once))) {
            fs.mkdir(root.resolve("0-1.0"));
            fs.helperProcess().orElseThrow().onExit().get(5, TimeUnit.SECONDS);
            fs.mkdir(root.resolve("0-2.0"));
            assertEquals(2, Files.readAllLines(tmp.resolve("starts")).size());
        }
    }

    @Test
    void shouldPairEveryAnswerWithItsRequestWhenManyThreadsAsk() throws Exception {
        Path root = root();
        // Answers err V to a write of V, so each caller can tell whether it got its own answer.
        String echo = script("echo", "while IFS= read -r l; do v=${l##* }; sleep 0.00$((RANDOM % 3)); echo \"err $v\";"
                + " done");
        try (HelperConfigFs fs = new HelperConfigFs(root, HelperLauncher.of(echo))) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<?>> all = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    int base = 1 + t * 10;
                    all.add(pool.submit(() -> {
                        for (int v = base; v < base + 10; v++) {
                            int value = v;
                            SyscallException e = assertThrows(SyscallException.class,
                                    () -> fs.write(root.resolve("0-1.0/s/ring_size"), Integer.toString(value)));
                            assertEquals(value, e.number());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : all) {
                    f.get(20, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void shouldGiveUpOnAHelperThatDoesNotAnswer() throws Exception {
        Path root = root();
        String hang = script("hang", "exec sleep 20");
        try (HelperConfigFs fs = new HelperConfigFs(root, HelperLauncher.of(hang), Duration.ofMillis(300),
                Duration.ofMillis(300))) {
            long start = System.nanoTime();
            HelperFailedException e = assertThrows(HelperFailedException.class, () -> fs.mkdir(root.resolve("0-1.0")));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "a bounded wait");
            assertEquals(Errno.ETIMEDOUT, e.errno());
            assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
        }
    }

    private FabricException createThrough(HelperLauncher launcher) throws Exception {
        try (KernelFabric fabric = new KernelFabric(KernelPaths.under(tmp.resolve("root")),
                new HelperConfigFs(root(), launcher), DeviceOpener.DIRECT, Duration.ofMillis(50))) {
            return assertThrows(FabricException.class, () -> fabric.createStream("0-1.0",
                    StreamSpec.automatic("hwctl")));
        }
    }

    @Test
    void shouldSayWhatPkexecsOwnOutcomesMean() throws Exception {
        FabricException dismissed = createThrough(HelperLauncher.pkexecLike(script("dismissed", "exit 126")));
        assertInstanceOf(PermissionDeniedException.class, dismissed);
        assertTrue(dismissed.getMessage().contains("authentication dialog was dismissed"), dismissed.getMessage());

        FabricException refused = createThrough(HelperLauncher.pkexecLike(script("refused",
                "echo 'Error executing command as another user: Not authorized' >&2; exit 127")));
        assertInstanceOf(PermissionDeniedException.class, refused);
        assertTrue(refused.getMessage().contains("polkit did not authorise org.hopwire.Hopwire.configure-streams"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("Not authorized"), "pkexec's words are passed on: "
                + refused.getMessage());

        FabricException missing = createThrough(HelperLauncher.of(tmp.resolve("no-such-launcher").toString()));
        assertInstanceOf(PermissionDeniedException.class, missing);
        assertTrue(missing.getMessage().contains("cannot be run"), missing.getMessage());

        FabricException crashed = createThrough(HelperLauncher.of(script("crashed", "exit 3")));
        assertEquals(Errno.EIO, crashed.errno());
        assertTrue(crashed.getMessage().contains("ended with status 3"), crashed.getMessage());
    }

    @Test
    void shouldSayToInstallThePackageWhenTheHelperIsNotInstalled() throws Exception {
        FabricException e = createThrough(HelperLauncher.pkexec(tmp.resolve("opt/hopwire/bin/hopwire-helper")));
        assertInstanceOf(PermissionDeniedException.class, e);
        assertTrue(e.getMessage().contains("install the Hopwire package"), e.getMessage());
        assertEquals(List.of("pkexec", "/opt/hopwire/bin/hopwire-helper", "configfs"),
                HelperLauncher.pkexec().command("configfs"), "the installed launcher, as the polkit policy names it");
    }
}
