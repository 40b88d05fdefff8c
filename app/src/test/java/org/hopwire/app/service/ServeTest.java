package org.hopwire.app.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.hopwire.app.core.DemoPeer;
import org.hopwire.app.core.Services;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.session.ConsentDeniedException;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.engine.trust.PairedPeer;
import org.hopwire.engine.trust.PeerStore;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.app.cli.PrivateRuntimeDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hopwire serve} end to end on the emulated fabric: the demo's "Demo laptop" asks to borrow a device, and
 * the config file decides; a stop (what SIGTERM does) ends the sessions and the run returns 0.
 */
@ExtendWith(PrivateRuntimeDir.class)
class ServeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final UUID THIS_HOST = UUID.fromString("11111111-2222-4333-8444-555555555555");

    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private String logged() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * A pairing made earlier (in the window, or with 'hopwire pair'), on both ends: the service pairs with nobody
     * by itself.
     */
    private Path pairedBefore() throws Exception {
        Path state = dir.resolve("config").resolve("hopwire");
        Files.createDirectories(state);
        Files.writeString(state.resolve("settings.properties"), "emulated.uuid=" + THIS_HOST + "\n");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        new PeerStore(state.resolve("peers")).save(new PairedPeer(DemoFabric.DEMO_PEER_UUID, key,
                Fabrics.DEMO_PEER_NAME, Instant.now(), Set.of()));
        new PeerStore(state.resolve("demo-peer").resolve("peers")).save(new PairedPeer(THIS_HOST, key, "serve-test",
                Instant.now(), Set.of()));
        return state;
    }

    private record Run(Serve.Control control, CompletableFuture<Integer> status, Services services) {
    }

    private Run start(Path config) throws Exception {
        return start(config, CommandChannel.NONE);
    }

    /** With a channel for 'hopwire' commands, as the command line's 'serve' runs it. */
    private Run start(Path config, CommandChannel commands) throws Exception {
        Serve.Control control = new Serve.Control().commands(commands);
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", dir.resolve("config").toString(), "HOME",
                dir.toString(), "HOSTNAME", "serve-test");
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> Serve.run(new Serve.Options(
                Optional.of(config), Optional.empty(), Optional.of(Fabrics.Choice.EMULATED)), print, print, env,
                control));
        Services services = control.ready().get(30, TimeUnit.SECONDS);
        return new Run(control, status, services);
    }

    @Test
    void shouldLendWhatTheConfigListsForTheDemosUuidRefuseTheRestAndStopCleanly() throws Exception {
        pairedBefore();
        Path config = dir.resolve("serve.conf");
        Files.writeString(config, String.join("\n", "ask-desktop = no",
                "[peer " + DemoFabric.DEMO_PEER_UUID + "]   # Demo laptop", "allow = test:camera", ""));
        Run run = start(config);
        DemoPeer demo = run.services().demo().orElseThrow();
        Transfers.await(() -> logged().contains("(" + DemoFabric.DEMO_PEER_UUID + "): paired"), WAIT,
                "paired from the earlier pairing: " + logged());
        // This host logs "paired" as its side is ready; the demo's side may still be authenticating: answer() waits.
        Throwable lent = answer(demo, TestDevices.CAMERA_ID);
        assertTrue(lent == null, "the camera lent: " + lent);
        Transfers.await(() -> logged().contains("lend started: Test camera (test pattern) (test:camera) to 'Demo"
                + " laptop' (" + DemoFabric.DEMO_PEER_UUID + ")"), WAIT, "lend logged: " + logged());
        assertTrue(logged().contains("consent: 'Demo laptop' (" + DemoFabric.DEMO_PEER_UUID + ") asks for Test"
                + " camera (test pattern) (test:camera): allowed once, listed in " + config + " line 3"), logged());

        assertInstanceOf(ConsentDeniedException.class, answer(demo, TestDevices.MICROPHONE_ID));
        assertTrue(logged().contains("(test:microphone): denied, not listed in " + config), logged());

        run.control().stop();
        assertEquals(Serve.OK, run.status().get(30, TimeUnit.SECONDS));
        assertTrue(logged().contains("stopping: ending 1 session(s), 1 lend(s) and 0 borrow(s)"), logged());
        assertTrue(logged().endsWith("stopped\n"), logged());
        assertTrue(demo.borrowing().isEmpty(), "the demo no longer borrows anything");
        assertTrue(run.services().fabric().streams().isEmpty(), "streams removed: " + run.services().fabric()
                .streams());
    }

    @Test
    void shouldDenyTheDemoWhenTheConfigDoesNotListItsUuid() throws Exception {
        pairedBefore();
        Path config = dir.resolve("serve.conf");
        Files.writeString(config, String.join("\n", "ask-desktop = no",
                "[peer " + UUID.randomUUID() + "]   # Demo laptop (but another host's UUID)", "allow = test:camera",
                ""));
        Run run = start(config);
        DemoPeer demo = run.services().demo().orElseThrow();
        Transfers.await(() -> logged().contains("(" + DemoFabric.DEMO_PEER_UUID + "): paired"), WAIT,
                "paired: " + logged());
        assertInstanceOf(ConsentDeniedException.class, answer(demo, TestDevices.CAMERA_ID));
        assertTrue(logged().contains("(test:camera): denied, not listed"), logged());
        assertTrue(run.services().hub().snapshot().lends().isEmpty());
        run.control().stop();
        assertEquals(Serve.OK, run.status().get(30, TimeUnit.SECONDS));
    }

    /**
     * The answer to the demo's request for {@code deviceId}: null when lent, else why not. A request that met the
     * end of the demo's session (its link said ready a moment after the session ended; the next session follows)
     * is asked again in the next one: what is tested is the answer, not that first session.
     */
    private static Throwable answer(DemoPeer demo, String deviceId) throws Exception {
        Throwable last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            Transfers.await(() -> demo.state() == org.hopwire.engine.session.PeerLink.State.READY, WAIT,
                    "the demo's session ready");
            try {
                demo.askFor(deviceId).get(30, TimeUnit.SECONDS);
                return null;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.hopwire.engine.session.SessionException)
                        || e.getCause() instanceof ConsentDeniedException) {
                    return e.getCause();
                }
                last = e.getCause();
                Thread.sleep(500);
            }
        }
        throw new AssertionError("no answer in three sessions", last);
    }

    /** The command line's socket, as 'hopwire serve' serves it (in this class's private runtime folder). */
    private static CommandChannel commandLine() {
        return new CommandChannel() {
            @Override
            public boolean runningFor(Path settingsDir) {
                return org.hopwire.app.cli.CommandServer.runningFor(settingsDir);
            }

            @Override
            public AutoCloseable start(Services services, org.hopwire.app.core.Questions questions)
                    throws java.io.IOException {
                return org.hopwire.app.cli.CommandServer.start(services, questions);
            }
        };
    }

    @Test
    void shouldPairWithHopwirePairFromATerminalWhileTheServiceRunsAndRefuseASecondService() throws Exception {
        Path config = dir.resolve("serve.conf");
        Files.writeString(config, "ask-desktop = no\nquestion-timeout = 60s\n");
        Run run = start(config, commandLine());
        Transfers.await(() -> logged().contains("waiting 60 s for 'hopwire pair " + DemoFabric.DEMO_PEER_UUID),
                WAIT, "the pairing held for a terminal: " + logged());

        // A person at this machine types 'hopwire pair' and confirms the code: it runs inside the service.
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        PrintStream to = new PrintStream(said, true, StandardCharsets.UTF_8);
        int code = org.hopwire.app.cli.Cli.run(List.of("--config-dir", dir.resolve("config").resolve("hopwire")
                .toString(), "pair", "Demo laptop"), new org.hopwire.app.cli.Terminal(
                new java.io.ByteArrayInputStream("y\n".getBytes(StandardCharsets.UTF_8)), to, to, false),
                (a, t) -> {
                    throw new AssertionError("no window");
                });
        assertEquals(0, code, said.toString(StandardCharsets.UTF_8));
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("Paired with Demo laptop"),
                said.toString(StandardCharsets.UTF_8));
        Transfers.await(() -> logged().contains("confirmed in a terminal ('hopwire pair')"), WAIT,
                "the service logged who confirmed: " + logged());

        // A second service with the same settings would drive the same cable: it refuses before opening it.
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        PrintStream p2 = new PrintStream(second, true, StandardCharsets.UTF_8);
        assertEquals(Serve.FAILED, Serve.run(new Serve.Options(Optional.of(config), Optional.empty(),
                Optional.of(Fabrics.Choice.EMULATED)), p2, p2, Map.of("XDG_CONFIG_HOME",
                dir.resolve("config").toString(), "HOME", dir.toString(), "HOSTNAME", "serve-test"),
                new Serve.Control().commands(commandLine())));
        assertTrue(second.toString(StandardCharsets.UTF_8).contains("another Hopwire (the window or 'hopwire"
                + " serve') runs already"), second.toString(StandardCharsets.UTF_8));

        run.control().stop();
        assertEquals(Serve.OK, run.status().get(30, TimeUnit.SECONDS));
    }

    @Test
    void shouldRefuseToPairWithoutAPersonAndStopWithABadConfigBeforeOpeningAnything() throws Exception {
        Path missing = dir.resolve("no-such.conf");
        Files.writeString(dir.resolve("empty.conf"), "question-timeout = 5s\n");
        Run run = start(dir.resolve("empty.conf"), commandLine());
        // (nothing allowed.) Nobody answers at the desktop (there is none) or in a terminal: refused after the wait
        // that 'hopwire pair' from a terminal would have had.
        Transfers.await(() -> logged().contains("pairing with 'Demo laptop' (" + DemoFabric.DEMO_PEER_UUID + "): code")
                && logged().contains("waiting 5 s for 'hopwire pair"), WAIT, "pairing held for a terminal");
        Transfers.await(() -> logged().contains("pairing with 'Demo laptop' (" + DemoFabric.DEMO_PEER_UUID + ")")
                && logged().contains("refused after no answer in 5 s"), WAIT, "pairing refused");
        assertTrue(logged().contains("nobody is here to compare the code (pair from a terminal with 'hopwire pair "
                + DemoFabric.DEMO_PEER_UUID + "'"), logged());
        Transfers.await(() -> logged().contains("(" + DemoFabric.DEMO_PEER_UUID + "): not paired"), WAIT,
                "not paired");
        run.control().stop();
        assertEquals(Serve.OK, run.status().get(30, TimeUnit.SECONDS));
        try (var left = Files.list(PrivateRuntimeDir.path())) {
            assertEquals(List.of(), left.toList(), "the command socket went with the service");
        }

        Files.writeString(dir.resolve("bad.conf"), "[peer Demo laptop]\nallow = test:camera\n");
        out.reset();
        int status = Serve.run(new Serve.Options(Optional.of(dir.resolve("bad.conf")), Optional.empty(),
                Optional.of(Fabrics.Choice.EMULATED)), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8), Map.of("XDG_CONFIG_HOME", dir.toString()),
                new Serve.Control());
        assertEquals(Serve.CONFIG_ERROR, status);
        assertTrue(logged().contains("bad.conf: line 1: 'Demo laptop' is not a host UUID"), logged());
        out.reset();
        assertEquals(Serve.CONFIG_ERROR, Serve.run(new Serve.Options(Optional.of(missing), Optional.empty(),
                Optional.of(Fabrics.Choice.EMULATED)), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8), Map.of(), new Serve.Control()));
        assertTrue(logged().contains("no such file"), logged());
    }
}
