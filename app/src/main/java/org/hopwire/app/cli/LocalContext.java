package org.hopwire.app.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.app.core.Settings;
import org.hopwire.app.core.SettingsStore;
import org.hopwire.app.core.Snapshot;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.trust.PeerStore;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.device.DeviceCatalog;

/**
 * A command in a one-shot process: what it needs is opened when first asked for (reading the cable opens only the
 * fabric; a lend opens the services with their sessions) and closed, in reverse, when it ends. Questions the sessions
 * ask go to the terminal when a person is there, and are refused when not; pairing codes are left to {@code pair}.
 */
final class LocalContext extends Context {
    private final Terminal terminal;
    private final Cli.Globals globals;
    private final Questions questions = new Questions();
    private final ExecutorService asking = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hopwire-cli-questions");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    /**
     * How long the fallback shutdown hook waits for the command to give back and close: the give-back and the
     * goodbye to each peer take well under a second on a live link; a stuck close must not keep the JVM.
     */
    static final long HOOK_WAIT_S = 5;
    private final List<Runnable> restoreSignals = new java.util.ArrayList<>();
    private Thread stopHook;
    private Services services;
    private Fabric fabric;
    private DeviceCatalog catalog;

    LocalContext(Terminal terminal, Cli.Globals globals) {
        this.terminal = terminal;
        this.globals = globals;
        questions.onQuestion(this::onQuestion);
    }

    @Override
    public Terminal terminal() {
        return terminal;
    }

    @Override
    public Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }

    @Override
    public boolean foreground() {
        return true;
    }

    @Override
    public synchronized Fabric fabric() {
        if (services != null) {
            return services.fabric();
        }
        if (fabric == null) {
            try {
                if (globals.root().isPresent()) {
                    fabric = Fabrics.openAt(globals.root().get());
                } else {
                    Settings s = Settings.load(globals.configDir());
                    Fabrics.Choice c = globals.fabric().orElse(s.fabric());
                    if (c == Fabrics.Choice.EMULATED
                            || (c == Fabrics.Choice.AUTO && Fabrics.kernelUnavailableReason().isPresent())) {
                        // The demo with this host's kept UUID, as the services make it.
                        fabric = DemoFabric.create(globals.hostName(), s.localUuid()).local();
                    } else {
                        fabric = Fabrics.open(Fabrics.Choice.KERNEL, globals.hostName());
                    }
                }
            } catch (FabricException e) {
                throw failure(e);
            }
        }
        return fabric;
    }

    @Override
    public PeerStore peerStore() {
        return services != null ? services.hub().peerStore() : new PeerStore(globals.configDir().resolve("peers"));
    }

    @Override
    public Optional<Snapshot> live() {
        return Optional.empty();
    }

    @Override
    public synchronized Services services() {
        if (services == null) {
            if (fabric != null) {
                fabric.close();
                fabric = null;
            }
            try {
                services = Services.open(new SettingsStore(globals.configDir()), globals.fabric(), globals.root(),
                        globals.hostName(), questions);
            } catch (FabricException e) {
                throw failure(e);
            } catch (GStreamerUnavailableException e) {
                throw new CliException(ExitCode.UNAVAILABLE, e.getMessage());
            }
        }
        return services;
    }

    @Override
    public Questions questions() {
        return questions;
    }

    @Override
    public synchronized List<Snapshot.Device> localDevices() {
        if (services != null) {
            return services.devices().devices().stream().map(LocalContext::view).toList();
        }
        if (catalog == null) {
            catalog = new DeviceCatalog(true);
            try {
                catalog.start();
            } catch (GStreamerUnavailableException e) {
                catalog = null;
                throw new CliException(ExitCode.UNAVAILABLE, e.getMessage());
            }
        }
        return catalog.devices().stream().map(LocalContext::view).toList();
    }

    private static Snapshot.Device view(org.hopwire.gst.device.MediaDevice d) {
        return new Snapshot.Device(d.id(), d.name(), d.kind(), d.test(), d.summary());
    }

    /** A fabric that could not open, as an exit status and what to do. */
    static CliException failure(FabricException e) {
        int code = e.errno() == Errno.EACCES || e.errno() == Errno.EPERM ? ExitCode.PERMISSION
                : e.errno() == Errno.ENODEV ? ExitCode.UNAVAILABLE : ExitCode.FAILED;
        return new CliException(code, e.getMessage());
    }

    /**
     * Consent and offers are asked on the terminal when a person is there (on a thread of their own: the session's
     * must not wait), and refused when not: nothing is lent without a person saying so. Pairing codes stay open for
     * {@code pair}; any other command leaves them unanswered, and they are withdrawn when it ends.
     */
    private void onQuestion(Questions.Question q) {
        if (q.kind() == Questions.Kind.PAIRING) {
            return;
        }
        if (!terminal.interactive()) {
            terminal.err().println("hopwire: refused without asking (no terminal to ask on): " + q.text()
                    + ". To allow it, answer in the Hopwire window, or run the command in a terminal.");
            q.answer(SessionHandler.Consent.DENY);
            return;
        }
        asking.execute(() -> {
            if (q.isAnswered()) {
                return;
            }
            if (q.kind() == Questions.Kind.CONSENT) {
                String a = terminal.ask(q.text() + ". Allow? [o]nce, [a]lways, [N]o: ").orElse("")
                        .trim().toLowerCase(java.util.Locale.ROOT);
                q.answer(a.equals("o") || a.equals("once") ? SessionHandler.Consent.ALLOW_ONCE
                        : a.equals("a") || a.equals("always") ? SessionHandler.Consent.ALLOW_ALWAYS
                        : SessionHandler.Consent.DENY);
            } else if (q.kind() == Questions.Kind.CONTROL) {
                q.answer(terminal.confirm(q.text() + ". Allow it for this borrow?")
                        ? SessionHandler.Consent.ALLOW_ONCE : SessionHandler.Consent.DENY);
            } else {
                q.answer(terminal.confirm(q.text() + ". Borrow it?") ? SessionHandler.Consent.ALLOW_ONCE
                        : SessionHandler.Consent.DENY);
            }
        });
    }

    @Override
    public HoldEnd hold(Optional<Duration> duration, BooleanSupplier ended) throws InterruptedException {
        catchStops();
        long end = duration.map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
        while (true) {
            if (ended.getAsBoolean()) {
                return HoldEnd.ENDED;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return HoldEnd.TIME_UP;
            }
            if (stop.await(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 200), TimeUnit.MILLISECONDS)) {
                return HoldEnd.STOPPED;
            }
        }
    }

    /**
     * From the first hold on, Ctrl+C (SIGINT) and SIGTERM end the hold instead of the JVM: the command gives the
     * device back, ends its sessions and removes its streams, then exits with its own status (0). A second one quits
     * at once without that (status 128 + the signal's number; streams left in ConfigFS are removed by the next run).
     * Where the signals cannot be caught (the JVM run with -Xrs), a shutdown hook does the same, waiting at most
     * {@link #HOOK_WAIT_S} seconds for the close.
     */
    private synchronized void catchStops() {
        if (stopHook != null) {
            return;
        }
        stopHook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(HOOK_WAIT_S, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "hopwire-cli-stop");
        Runtime.getRuntime().addShutdownHook(stopHook);
        for (String name : List.of("INT", "TERM")) {
            try {
                sun.misc.Signal signal = new sun.misc.Signal(name);
                sun.misc.SignalHandler old = sun.misc.Signal.handle(signal, this::onSignal);
                restoreSignals.add(() -> sun.misc.Signal.handle(signal, old));
            } catch (IllegalArgumentException | LinkageError e) {
                // The JVM keeps this signal (-Xrs) or has no jdk.unsupported: the shutdown hook cleans up instead.
            }
        }
    }

    private void onSignal(sun.misc.Signal s) {
        if (stop.getCount() > 0) {
            stop.countDown();
            terminal.err().println();
            terminal.err().println("hopwire: stopping (" + (s.getName().equals("INT") ? "Ctrl+C" : "SIG" + s.getName())
                    + "): giving back and closing; Ctrl+C again quits at once");
            terminal.err().flush();
            return;
        }
        terminal.err().println("hopwire: quitting without cleaning up");
        terminal.err().flush();
        Runtime.getRuntime().halt(128 + s.getNumber());
    }

    @Override
    public synchronized void close() {
        try {
            asking.shutdownNow();
            if (services != null) {
                services.close();
            }
            if (fabric != null) {
                fabric.close();
            }
            if (catalog != null) {
                catalog.close();
            }
        } finally {
            closed.countDown();
            restoreSignals.forEach(Runnable::run);
            restoreSignals.clear();
            if (stopHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopHook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs now and waits for this
                }
            }
        }
    }
}
