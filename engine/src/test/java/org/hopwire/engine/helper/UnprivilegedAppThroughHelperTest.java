package org.hopwire.engine.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.emulator.Emulator;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.hopwire.engine.fabric.kernel.HelperLauncher;
import org.hopwire.engine.fabric.kernel.KernelPaths;
import org.hopwire.engine.testbed.KernelOverFuseTestbed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof: an unprivileged user's Hopwire creates and removes streams through the privileged helper, in a
 * ConfigFS that belongs to root as on a real machine.
 *
 * <p>{@code hopwire emulate}'s files are mounted without {@code --user} (ConfigFS is root's, device nodes get a group
 * as the udev rule gives them); a user made for the test, in that group, runs the engine; pkexec is replaced by a
 * launcher that reaches a root helper through a Unix socket the test (root) serves, one helper per connection, with
 * the helper's ConfigFS root pointed at the mount.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UnprivilegedAppThroughHelperTest {
    @TempDir
    Path tmp;
    private Emulator emulator;
    private ServerSocketChannel server;
    private final List<Process> helpers = new CopyOnWriteArrayList<>();
    private String user;
    private String group;

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : helpers) {
            p.destroyForcibly();
        }
        if (server != null) {
            server.close();
        }
        if (emulator != null) {
            emulator.close();
        }
        if (user != null) {
            run("userdel", user);
        }
        if (group != null) {
            run("groupdel", group);
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), String.join(" ", command));
        if (p.exitValue() != 0) {
            System.err.println(String.join(" ", command) + ": " + out);
        }
        return p.exitValue();
    }

    private static int gid(String group) throws Exception {
        Process p = new ProcessBuilder("getent", "group", group).start();
        String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        p.waitFor(10, TimeUnit.SECONDS);
        return Integer.parseInt(line.split(":")[2]);
    }

    /** Serves the socket: a root helper per connection, its stdin and stdout relayed, its stdin closed at EOF. */
    private void serveHelpers(Path socket, String classPath, Path configFsRoot) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        Thread accept = new Thread(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel c = server.accept();
                    ProcessBuilder pb = new ProcessBuilder(HelperRun.command(classPath, "configfs"))
                            .redirectError(ProcessBuilder.Redirect.INHERIT);
                    pb.environment().put(PrivilegedHelper.ROOT_OVERRIDE_ENV, configFsRoot.toString());
                    Process helper = pb.start();
                    helpers.add(helper);
                    SocketRelay.fromSocket(c, helper.getOutputStream());
                    SocketRelay.toSocket(helper.getInputStream(), c);
                } catch (IOException e) {
                    return;
                }
            }
        }, "helper-server");
        accept.setDaemon(true);
        accept.start();
    }

    /**
     * @param throughSocket false: pkexec replaced by a test launcher (the desktop's way); true: the app connects to
     *                      the socket itself, as the system service does with hopwire-helper.socket (whose systemd
     *                      Accept=yes gives each connection its own helper, as this test's server does)
     */
    @ParameterizedTest(name = "through the socket: {0}")
    @ValueSource(booleans = {false, true})
    void shouldCreateAndRemoveStreamsAsAnUnprivilegedUserThroughTheHelper(boolean throughSocket) throws Exception {
        assumeTrue(HelperRun.runningAsRoot(), "needs root: to mount FUSE, add a user and run the helper");
        KernelOverFuseTestbed.assumeFuse();
        for (String tool : List.of("runuser", "useradd", "userdel", "groupadd", "groupdel", "getent")) {
            assumeTrue(HelperRun.onPath(tool), "needs " + tool + " (passwd, util-linux)");
        }
        String suffix = Long.toString(ProcessHandle.current().pid() % 100000);
        assertEquals(0, run("groupadd", "hwtg" + suffix));
        group = "hwtg" + suffix;
        assertEquals(0, run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "--groups", group,
                "hwtu" + suffix));
        user = "hwtu" + suffix;

        // The mount and the classes must be reachable by the user: the temporary folder is 0700 root otherwise.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        String classPath = HelperRun.readableClassPath(tmp.resolve("cp"));
        Path mount = tmp.resolve("usb4");
        emulator = Emulator.start(new Emulator.Options(mount, List.of("alpha", "beta"), CableProfile.UNTHROTTLED,
                EmulatedWorld.Settings.DEFAULT, Optional.of(gid(group))));
        Path hostRoot = mount.resolve("alpha");
        Path configFs = KernelPaths.under(hostRoot).configFsStream();
        Path socket = tmp.resolve("helper.sock");
        serveHelpers(socket, classPath, configFs);

        String launcher = String.join(" ", HelperRun.java(), String.join(" ", HelperRun.QUICK_JVM), "-cp", classPath,
                SocketLauncher.class.getName(), socket.toString());
        List<String> app = new ArrayList<>(List.of("runuser", "-u", user, "--", HelperRun.java()));
        app.addAll(HelperRun.QUICK_JVM);
        if (!throughSocket) {
            app.add("-Dhopwire.helper.launcher=" + launcher);
        }
        app.addAll(List.of("-cp", classPath, UnprivilegedApp.class.getName(), hostRoot.toString()));
        ProcessBuilder pb = new ProcessBuilder(app).directory(Path.of("/").toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().remove(HelperLauncher.LAUNCHER_ENV);
        pb.environment().remove(HelperLauncher.SOCKET_ENV);
        if (throughSocket) {
            pb.environment().put(HelperLauncher.SOCKET_ENV, socket.toString());
        }
        Process p = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            OutputStream in = p.getOutputStream();

            String created = out.readLine();
            assertTrue(created != null && created.startsWith("created "), "the app's answer: " + created);
            // Root's view of the tree: the stream is there, with the HopIDs the driver allocated.
            Path stream = configFs.resolve("0-1.0/hwctl");
            assertTrue(Files.isDirectory(stream), "the stream appeared in ConfigFS");
            int inHop = Integer.parseInt(Files.readString(stream.resolve("in_hopid")).strip());
            assertTrue(inHop >= 8, "a HopID was allocated: " + inHop);
            assertEquals("created " + inHop + " " + Files.readString(stream.resolve("out_hopid")).strip(), created);
            assertEquals(1, helpers.size(), "one helper for the whole run");
            Process helper = helpers.get(0);
            assertTrue(helper.isAlive());

            in.write("go\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            assertEquals("direct EACCES", out.readLine(), "the user itself may not write ConfigFS");
            assertEquals("removed", out.readLine());
            assertFalse(Files.exists(stream), "the stream was removed");
            assertFalse(Files.exists(configFs.resolve("0-1.0")), "and the group the app made for it");
            assertEquals(1, helpers.size(), "still the same helper");

            in.write("go\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            assertEquals("closed", out.readLine());
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            assertTrue(helper.waitFor(5, TimeUnit.SECONDS), "the root helper ended with the app");
            assertEquals(0, helper.exitValue());
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
