package org.hopwire.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.hopwire.app.core.DemoPeer;
import org.hopwire.app.core.Hub;
import org.hopwire.app.core.Settings;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.ConsentDeniedException;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.device.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Demo laptop asks for this host's camera while a one-shot command runs: with a person at the terminal, the
 * question is asked there and the typed answer decides ({@code o} once, {@code a} always, {@code n} or anything else
 * no); without one, the settings' consent default decides, and it never allows.
 */
@ExtendWith(PrivateRuntimeDir.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TerminalConsentTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String PROMPT = Fabrics.DEMO_PEER_NAME + " wants to use Test camera (test pattern). Allow? [o]nce,"
            + " [a]lways, [N]o: ";

    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private LocalContext context(String typed, boolean interactive) {
        Terminal t = new Terminal(new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                interactive);
        return new LocalContext(t, Cli.globals(Optional.of(Fabrics.Choice.EMULATED), Optional.empty(),
                Optional.of(dir.resolve("cfg"))));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** The demo asks; the borrow it got (given back at once), or the refusal. */
    private static Optional<Borrow> ask(DemoPeer demo, Hub hub) throws Exception {
        CompletableFuture<Borrow> f = demo.askFor(TestDevices.CAMERA_ID);
        try {
            Borrow b = f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            Transfers.await(() -> hub.snapshot().lends().size() == 1, WAIT, "the lend listed");
            demo.giveBackAll();
            Transfers.await(() -> hub.snapshot().lends().isEmpty(), WAIT, "given back");
            return Optional.of(b);
        } catch (ExecutionException e) {
            assertInstanceOf(ConsentDeniedException.class, e.getCause());
            assertTrue(hub.snapshot().lends().isEmpty(), "nothing lent after a no");
            return Optional.empty();
        }
    }

    @Test
    void shouldAskOnTheTerminalWhileACommandRunsAndFollowTheTypedAnswer() throws Exception {
        try (LocalContext ctx = context("y\no\nn\nmaybe\na\n", true)) {
            assertEquals(0, Cli.runIn(List.of("pair", "Demo laptop"), ctx), out() + err());
            // A foreground command holds the terminal while the demo asks.
            Thread stats = new Thread(() -> Cli.runIn(List.of("stats", "--watch", "--count", "60", "--json"), ctx),
                    "stats");
            stats.start();
            Transfers.await(() -> out().contains("{\"time\""), WAIT, "the command's first report");
            Hub hub = ctx.services().hub();
            DemoPeer demo = ctx.services().demo().orElseThrow();

            assertTrue(ask(demo, hub).isPresent(), "o: lent once. " + out());
            assertEquals(1, count(out(), PROMPT), out());
            assertTrue(ask(demo, hub).isEmpty(), "n: refused");
            assertTrue(ask(demo, hub).isEmpty(), "'maybe': anything but o or a is no");
            assertEquals(3, count(out(), PROMPT));
            assertTrue(ctx.peerStore().find(DemoFabric.DEMO_PEER_UUID).orElseThrow().alwaysAllowed().isEmpty(),
                    "once is not always");
            assertTrue(ask(demo, hub).isPresent(), "a: lent");
            assertEquals(4, count(out(), PROMPT));
            assertEquals(java.util.Set.of(TestDevices.CAMERA_ID), ctx.peerStore().find(DemoFabric.DEMO_PEER_UUID)
                    .orElseThrow().alwaysAllowed(), "always is kept with the pairing");
            assertTrue(ask(demo, hub).isPresent(), "allowed always: lent without asking");
            assertEquals(4, count(out(), PROMPT), "not asked again");
            assertTrue(stats.isAlive(), "the command ran all along: " + err());
            stats.interrupt();
            stats.join(5000);
        }
    }

    @Test
    void shouldRefuseWithoutATerminalAndFollowTheSettingsConsentDefault() throws Exception {
        try (LocalContext ctx = context("y\n", false)) {
            assertEquals(0, Cli.runIn(List.of("pair", "Demo laptop"), ctx), out() + err());
            Hub hub = ctx.services().hub();
            DemoPeer demo = ctx.services().demo().orElseThrow();
            List<org.hopwire.app.core.Notice> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
            hub.addListener(new Hub.Listener() {
                @Override
                public void notice(org.hopwire.app.core.Notice n) {
                    notices.add(n);
                }
            });

            // Settings say "ask": there is nobody to ask, so it is refused, and the refusal is printed.
            assertEquals(Settings.ConsentDefault.ASK, ctx.services().settings().get().consent());
            assertTrue(ask(demo, hub).isEmpty(), "refused without a terminal");
            assertTrue(err().contains("refused without asking (no terminal to ask on): " + Fabrics.DEMO_PEER_NAME
                    + " wants to use Test camera (test pattern)"), err());
            assertFalse(out().contains("Allow?"), "nothing asked: " + out());

            // Settings say "refuse": refused before any question.
            ctx.services().settings().update(s -> s.withConsent(Settings.ConsentDefault.DENY));
            int printed = count(err(), "refused without asking");
            assertTrue(ask(demo, hub).isEmpty(), "refused by the settings");
            assertEquals(printed, count(err(), "refused without asking"), "no question reached the terminal");
            assertTrue(notices.stream().anyMatch(n -> n.text().contains("refused without asking (Settings)")),
                    notices.toString());
            assertTrue(ctx.peerStore().find(DemoFabric.DEMO_PEER_UUID).orElseThrow().alwaysAllowed().isEmpty());
        }
    }
}
