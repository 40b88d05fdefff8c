package org.hopwire.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.device.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands typed while Hopwire runs go to it over its socket: a running instance (services + command server, as the
 * window or 'serve' starts them) pairs on the client's terminal, lends what the client asked for and keeps it after
 * the client returned; a socket nobody listens on is removed and the command runs in its own process.
 */
@ExtendWith(PrivateRuntimeDir.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CommandServerTest {

    @TempDir
    Path dir;

    CliTest.Run run(String input, String... args) {
        return run(input, List.of("--fabric=emulated"), args);
    }

    /** A command with these global options instead of --fabric=emulated (the settings folder is always the one). */
    CliTest.Run runWith(List<String> globals, String... args) {
        return run("", globals, args);
    }

    CliTest.Run run(String input, List<String> globals, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(globals);
        all.addAll(List.of("--config-dir", dir.resolve("cfg").toString()));
        all.addAll(List.of(args));
        int code = Cli.run(all, new Terminal(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), false), (a, t) -> {
                    throw new AssertionError("no window");
                });
        return new CliTest.Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRunCommandsInTheRunningHopwireAndAskOnTheClientsTerminal() throws Exception {
        Questions questions = new Questions();
        try (Services services = Services.open(dir.resolve("cfg"), Optional.of(Fabrics.Choice.EMULATED), "desk",
                questions); CommandServer server = CommandServer.start(services, questions)) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(PrivateRuntimeDir.path())));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.socket())));
            assertThrows(java.io.IOException.class, () -> CommandServer.start(services, questions),
                    "one command server per host");

            CliTest.Run pair = run("y\n", "pair", "Demo laptop");
            assertEquals(0, pair.code(), pair.toString());
            assertTrue(pair.out().contains("The code is: ") && pair.out().contains("Does Demo laptop show the same"
                    + " code? [y/N]") && pair.out().contains("Paired with Demo laptop"), pair.out());
            Transfers.await(() -> services.hub().snapshot().peer(DemoFabric.DEMO_PEER_UUID)
                    .map(p -> p.state() == org.hopwire.app.core.PeerState.PAIRED).orElse(false),
                    Duration.ofSeconds(10), "the server's session paired");

            JsonNode peers = CliTest.JSON.readTree(run("", "peers", "--json").out());
            assertEquals("paired", peers.get("peers").get(0).get("state").asText(), "the running session's state");

            // The other host's person says no: the core tells the command (not a notice's text), exit 5.
            services.demo().orElseThrow().acceptOffers(false);
            CliTest.Run declined = run("", "lend", TestDevices.CAMERA_ID, "--to", "Demo laptop", "--timeout", "20s");
            assertEquals(ExitCode.REFUSED, declined.code(), declined.toString());
            assertTrue(declined.err().contains("Demo laptop declined Test camera (test pattern)."), declined.err());
            assertTrue(services.hub().snapshot().lends().isEmpty(), "nothing lent");
            services.demo().orElseThrow().acceptOffers(true);

            CliTest.Run lend = run("", "lend", TestDevices.CAMERA_ID, "--to", "Demo laptop");
            assertEquals(0, lend.code(), lend.toString());
            assertTrue(lend.out().contains("the running Hopwire holds it"), lend.out());
            assertEquals(1, services.hub().snapshot().lends().size(), "lent by the server, after the client left");
            assertEquals(TestDevices.CAMERA_ID, services.hub().snapshot().lends().get(0).deviceId());

            CliTest.Run streams = run("", "streams", "--json");
            JsonNode s = CliTest.JSON.readTree(streams.out()).get("streams");
            assertTrue(s.size() >= 2, "the server's session streams: " + streams.out());

            // The running Hopwire is on the emulated demo: a command asking for another fabric or a root is refused
            // rather than run on the demo; asking for the demo (all of the above) or for nothing runs.
            CliTest.Run kernel = runWith(List.of("--fabric=kernel"), "peers", "--json");
            assertEquals(ExitCode.USAGE, kernel.code(), kernel.toString());
            assertTrue(kernel.err().contains("this command asked for --fabric=kernel, but the Hopwire running for "
                    + dir.resolve("cfg") + " runs on the emulated demo (--fabric=emulated)"), kernel.err());
            assertTrue(kernel.err().contains("Leave --fabric out"), kernel.err());
            assertEquals("", kernel.out(), "nothing ran");
            CliTest.Run rooted = runWith(List.of("--root", dir.resolve("alpha").toString()), "peers");
            assertEquals(ExitCode.USAGE, rooted.code(), rooted.toString());
            assertTrue(rooted.err().contains("asked for --root " + dir.resolve("alpha")), rooted.err());
            CliTest.Run plain = runWith(List.of(), "peers", "--json");
            assertEquals(0, plain.code(), plain.toString());
            assertEquals("paired", CliTest.JSON.readTree(plain.out()).get("peers").get(0).get("state").asText(),
                    "ran in the running Hopwire");

            CliTest.Run missing = run("", "devices", "--peer", "nobody");
            assertEquals(ExitCode.NOT_FOUND, missing.code(), "exit status carried back");
            assertTrue(missing.err().contains("no peer 'nobody'"), missing.err());
        }
        Path socket = CommandServer.socketFor(dir.resolve("cfg"));
        assertFalse(Files.exists(socket), "closing removes the socket");

        // A Hopwire killed without closing leaves its socket: the next command removes it and runs here.
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        CliTest.Run local = run("", "peers", "--json");
        assertEquals(0, local.code(), local.toString());
        assertTrue(CliTest.JSON.readTree(local.out()).get("peers").get(0).get("state").isNull(), "run here");
        assertFalse(Files.exists(socket), "the stale socket was removed");
    }

    @Test
    void shouldLeaveThePairingQuestionOpenWhenTheClientIsStoppedAtThePrompt() throws Exception {
        Questions questions = new Questions();
        try (Services services = Services.open(dir.resolve("cfg"), Optional.of(Fabrics.Choice.EMULATED), "desk",
                questions); CommandServer server = CommandServer.start(services, questions)) {
            // A terminal's 'hopwire pair' reaches the code prompt, then the person presses Ctrl+C: the client goes.
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(server.socket()))) {
                String request = "{\"args\":[\"--config-dir\",\"" + dir.resolve("cfg") + "\",\"pair\","
                        + "\"Demo laptop\"],\"cwd\":\"/\",\"interactive\":true}\n";
                CommandServer.output(c).write(request.getBytes(StandardCharsets.UTF_8));
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        CommandServer.input(c), StandardCharsets.UTF_8));
                String line;
                StringBuilder said = new StringBuilder();
                while ((line = in.readLine()) != null && !line.startsWith("{\"ask\"")) {
                    said.append(line).append('\n');
                }
                assertTrue(line != null && line.contains("show the same code?"), said + " / " + line);
            }
            Questions.Question q = questions.first(Questions.Kind.PAIRING).orElseThrow();
            Thread.sleep(1000); // the command notices its client went
            assertFalse(q.isAnswered(), "Ctrl+C is no answer: the question stays for the window");
            assertEquals(org.hopwire.app.core.PeerState.PAIRING, services.hub().snapshot()
                    .peer(DemoFabric.DEMO_PEER_UUID).orElseThrow().state(), "not rejected");
            // The window's dialog (or a notification) answers it.
            q.answer(org.hopwire.engine.session.SessionHandler.Consent.ALLOW_ONCE);
            Transfers.await(() -> services.hub().snapshot().peer(DemoFabric.DEMO_PEER_UUID)
                    .map(p -> p.state() == org.hopwire.app.core.PeerState.PAIRED).orElse(false),
                    Duration.ofSeconds(10), "paired through the window's answer");
        }
    }

    @Test
    void shouldBringBackTheRunningWindowAndSayWhenTheRunningHopwireIsAServiceWithoutOne() throws Exception {
        CliTest.Run none = run("", "show");
        assertEquals(ExitCode.NOT_FOUND, none.code(), none.toString());
        assertTrue(none.err().contains("no Hopwire runs for this host"), none.err());
        Terminal quiet = new Terminal(InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()), false);
        assertEquals(Optional.empty(), Cli.showRunning(List.of("--fabric=emulated"), dir.resolve("cfg"), quiet),
                "nothing runs: the window opens");

        Questions questions = new Questions();
        java.util.concurrent.atomic.AtomicInteger shown = new java.util.concurrent.atomic.AtomicInteger();
        try (Services services = Services.open(dir.resolve("cfg"), Optional.of(Fabrics.Choice.EMULATED), "desk",
                questions)) {
            try (CommandServer window = CommandServer.start(services, questions,
                    Optional.of(shown::incrementAndGet))) {
                CliTest.Run show = run("", "show");
                assertEquals(0, show.code(), show.toString());
                assertEquals(1, shown.get(), "the running window was asked to show itself");
                // A second 'hopwire' (no command) with a window running: shown again instead of a second window.
                assertEquals(Optional.of(0), Cli.showRunning(List.of("--fabric=emulated", "--config-dir",
                        dir.resolve("cfg").toString()), dir.resolve("cfg"), quiet));
                assertEquals(2, shown.get());
            }
            try (CommandServer service = CommandServer.start(services, questions)) {
                CliTest.Run show = run("", "show");
                assertEquals(ExitCode.FAILED, show.code(), show.toString());
                assertTrue(show.err().contains("runs here as a background service ('hopwire serve'), which has no"
                        + " window"), show.err());
                assertEquals(2, shown.get(), "no window to show");
            }
        }
    }
}
