package org.hopwire.app.service;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.hopwire.app.core.Hub;
import org.hopwire.app.core.Notice;
import org.hopwire.app.core.HostNames;
import org.hopwire.app.core.Services;
import org.hopwire.app.core.Settings;
import org.hopwire.app.core.SettingsStore;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.desktop.DesktopNotifications;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.gst.GStreamerUnavailableException;

/**
 * {@code hopwire serve}: Hopwire without a window, for machines without a display and for the background service.
 * It opens the same {@link Services} as the window, with a {@link PolicyAsker} for a person, logs what happens
 * (peers, pairings, consent decisions, lends and borrows, errors) and runs until SIGTERM or SIGINT, then ends its
 * sessions and removes their streams.
 */
public final class Serve {
    /** Exit status: stopped cleanly. */
    public static final int OK = 0;
    /** Exit status: could not start (no fabric, no GStreamer); systemd restarts it. */
    public static final int FAILED = 1;
    /**
     * Exit status: the config file is wrong (sysexits' EX_CONFIG). The units do not restart on it
     * ({@code RestartPreventExitStatus=78}): starting again cannot help until the file is fixed.
     */
    public static final int CONFIG_ERROR = 78;
    /** How long the sessions get to say goodbye and remove their streams on stop. */
    static final long CLOSE_WAIT_SECONDS = 20;

    private Serve() {
    }

    /**
     * What {@code hopwire serve} was asked for.
     *
     * @param config the service's config file; empty for the default place
     * @param root   the kernel interface under a folder (a host of {@code hopwire emulate}); empty for the machine's
     * @param fabric the fabric from the command line; empty to let the settings decide
     */
    public record Options(Optional<Path> config, Optional<Path> root, Optional<Fabrics.Choice> fabric) {
    }

    /** Starts and stops a run in-process (tests, embedding): what SIGTERM does for the service. */
    public static final class Control {
        private final CountDownLatch stop = new CountDownLatch(1);
        private final CompletableFuture<Services> ready = new CompletableFuture<>();
        private volatile CommandChannel commands = CommandChannel.NONE;

        /** Lets {@code hopwire} commands reach the run through {@code channel}. */
        public Control commands(CommandChannel channel) {
            this.commands = channel;
            return this;
        }

        /** Asks the run to end; it returns once its sessions have ended. */
        public void stop() {
            stop.countDown();
        }

        /** Completes with the running services once started (fails when the run could not start). */
        public CompletableFuture<Services> ready() {
            return ready;
        }
    }

    /** Runs until stopped (SIGTERM, Ctrl+C); returns the exit status. */
    public static int run(Options options, PrintStream out, PrintStream err) {
        return run(options, out, err, CommandChannel.NONE);
    }

    /** As above, serving {@code hopwire} commands through {@code commands}. */
    public static int run(Options options, PrintStream out, PrintStream err, CommandChannel commands) {
        Control control = new Control().commands(commands);
        List<Runnable> restore = StopSignals.install(control::stop);
        try {
            return run(options, out, err, System.getenv(), control);
        } finally {
            restore.forEach(Runnable::run);
        }
    }

    /**
     * Runs until {@code control} is stopped.
     *
     * @param env the environment to read (XDG_CONFIG_HOME, JOURNAL_STREAM, STATE_DIRECTORY, the session bus)
     */
    public static int run(Options options, PrintStream out, PrintStream err, Map<String, String> env,
                          Control control) {
        boolean journal = ServeLog.journalConnected(env.get("JOURNAL_STREAM"), ServeLog::statFd);
        ServeLog log = new ServeLog(out, err, journal, Clock.systemDefaultZone());
        Path configHome = configHome(env);
        boolean named = options.config().isPresent();
        Path configFile = options.config().orElseGet(() -> defaultConfig(env, configHome));
        ServeConfig config;
        try {
            config = ServeConfig.load(configFile, named);
        } catch (ServeConfig.Invalid e) {
            log.error("the config file " + configFile + " has " + e.problems().size()
                    + (e.problems().size() == 1 ? " mistake" : " mistakes") + "; nothing was started:");
            e.problems().forEach(p -> log.error(configFile + ": " + p));
            control.ready.completeExceptionally(e);
            return CONFIG_ERROR;
        }
        log.notice("hopwire serve " + Services.VERSION + " starting; config " + config.summary());

        Optional<DesktopNotifications> notifications = Optional.empty();
        if (config.askDesktop()) {
            DesktopNotifications n = new DesktopNotifications(DesktopNotifications.sessionBusAddress(env));
            notifications = Optional.of(n);
            boolean present;
            try {
                present = n.available().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                present = false; // a bus that does not answer: the questions try again, each on its own
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                present = false;
            }
            log.info(present ? "questions go to the desktop first: " + n.status()
                    : "questions are decided by the config for now: " + n.status()
                    + " (checked again at each question)");
        }
        Path stateDir = stateDirectory(env, configHome, options.root());
        if (control.commands.runningFor(stateDir)) {
            // Both would drive the same cable with the same pairings: the streams of one would break the other's.
            log.error("another Hopwire (the window or 'hopwire serve') runs already with " + stateDir + "; nothing"
                    + " was started. Close it first ('hopwire show' brings its window back)");
            notifications.ifPresent(DesktopNotifications::close);
            control.ready.completeExceptionally(new IllegalStateException("another Hopwire runs"));
            return FAILED;
        }
        PolicyAsker asker = new PolicyAsker(config, log, notifications);
        if (control.commands != CommandChannel.NONE) {
            // 'hopwire pair PEER' from a terminal answers the code here, so a pairing waits for it a while. Set
            // before the sessions start: a paired-before peer is quick, and one asking before the command socket
            // was up was refused as if nobody could answer.
            asker.holdPairingFor(config.questionTimeout());
        }
        Services services;
        SettingsStore settings = new SettingsStore(stateDir);
        try {
            services = Services.open(settings, options.fabric(), options.root(), HostNames.of(options.root(), env),
                    asker);
        } catch (FabricException | GStreamerUnavailableException | RuntimeException e) {
            log.error("could not start: " + e.getMessage());
            settings.close();
            notifications.ifPresent(DesktopNotifications::close);
            control.ready.completeExceptionally(e);
            return FAILED;
        }
        log.notice(services.status());
        log.info("this host is '" + services.hub().identity().hostName() + "' (" + services.hub().identity().uuid()
                + "); settings and pairings in " + stateDir);
        AutoCloseable commands = null;
        try {
            commands = control.commands.start(services, asker.questions());
            log.info("commands from 'hopwire' on this machine reach this service (" + commands + ")");
        } catch (java.io.IOException e) {
            // No terminal can answer: later pairings are refused at once (one already waiting times out).
            asker.holdPairingFor(java.time.Duration.ZERO);
            log.warning("the command line cannot reach this service: " + e.getMessage());
        }
        Activity activity = new Activity(log, services.hub()::snapshot);
        Runnable unsubscribe = services.hub().addListener(activity);
        control.ready.complete(services);
        try {
            control.stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Snapshot last = services.hub().snapshot();
        log.notice("stopping: ending " + last.peers().size() + " session(s), " + last.lends().size() + " lend(s)"
                + " and " + last.borrows().size() + " borrow(s)");
        unsubscribe.run();
        if (commands != null) {
            try {
                commands.close();
            } catch (Exception e) {
                log.warning("closing the command socket: " + e.getMessage());
            }
        }
        // Closing says goodbye to each peer and removes the streams from ConfigFS; it is bounded, so a stuck
        // peer cannot keep systemd waiting for its stop timeout.
        Thread closer = new Thread(services::close, "hopwire-serve-close");
        closer.start();
        try {
            closer.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notifications.ifPresent(DesktopNotifications::close);
        if (closer.isAlive()) {
            log.error("the sessions did not end within " + CLOSE_WAIT_SECONDS + " s; stopping anyway");
            return FAILED;
        }
        log.notice("stopped");
        return OK;
    }

    /** {@code $XDG_CONFIG_HOME}, else {@code ~/.config}. */
    static Path configHome(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg);
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".config");
    }

    /**
     * Where the config file is when {@code --config} is not given: systemd's ConfigurationDirectory for the system
     * unit ({@code /etc/hopwire}), else {@code $XDG_CONFIG_HOME/hopwire}.
     */
    static Path defaultConfig(Map<String, String> env, Path configHome) {
        return firstOf(env.get("CONFIGURATION_DIRECTORY")).map(d -> d.resolve("serve.conf"))
                .orElseGet(() -> configHome.resolve("hopwire").resolve("serve.conf"));
    }

    /**
     * Where the settings and pairings live: systemd's StateDirectory for the system unit ({@code /var/lib/hopwire}),
     * else the window's folder, so a user service and the window share their pairings.
     */
    static Path stateDirectory(Map<String, String> env, Path configHome, Optional<Path> root) {
        return stateDirectoryUnder(env, configHome, root);
    }

    /**
     * The settings and pairings folder a {@code hopwire} command run in {@code env} shares with the service: the
     * command line's {@code pair} uses it, so {@code systemd-run -p StateDirectory=hopwire ... hopwire pair PEER}
     * pairs for the system service.
     */
    public static Path stateDirectory(Map<String, String> env, Optional<Path> root) {
        return stateDirectoryUnder(env, configHome(env), root);
    }

    private static Path stateDirectoryUnder(Map<String, String> env, Path configHome, Optional<Path> root) {
        Path base = firstOf(env.get("STATE_DIRECTORY")).orElseGet(() -> configHome.resolve("hopwire"));
        return root.map(r -> Settings.rootDirectory(base, r)).orElse(base);
    }

    /** systemd passes several directories separated by ':'; Hopwire asks for one. */
    private static Optional<Path> firstOf(String dirs) {
        if (dirs == null || dirs.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(Path.of(dirs.split(":")[0]));
    }

    /** Turns the hub's notices and changes into log lines: peers, pairings, lends and borrows with host UUIDs. */
    static final class Activity implements Hub.Listener {
        private final ServeLog log;
        private final Object lock = new Object();
        private Snapshot seen = Snapshot.EMPTY;
        private final Map<String, String> peerStates = new HashMap<>();

        private final java.util.function.Supplier<Snapshot> snapshots;

        Activity(ServeLog log, java.util.function.Supplier<Snapshot> snapshots) {
            this.log = log;
            this.snapshots = snapshots;
        }

        @Override
        public void notice(Notice n) {
            log.log(switch (n.level()) {
                case ERROR -> ServeLog.Level.ERROR;
                case WARNING -> ServeLog.Level.WARNING;
                case INFO -> ServeLog.Level.INFO;
            }, n.text());
        }

        @Override
        public void changed() {
            // Called twice a second by the ticker as well: only differences are logged.
            changed(snapshots.get());
        }

        void changed(Snapshot now) {
            List<String> lines = new ArrayList<>();
            synchronized (lock) {
                for (Snapshot.Peer p : now.peers()) {
                    String state = p.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
                    String before = peerStates.put(p.uuid().toString(), state);
                    if (!state.equals(before)) {
                        lines.add("peer '" + p.name() + "' (" + p.uuid() + "): " + state
                                + (p.detail().isEmpty() ? "" : " (" + p.detail() + ")"));
                    }
                }
                Set<String> lendsNow = new HashSet<>();
                now.lends().forEach(l -> lendsNow.add(l.peer() + "/" + l.channel()));
                for (Snapshot.Lend l : now.lends()) {
                    if (seen.lends().stream().noneMatch(o -> o.peer().equals(l.peer()) && o.channel() == l.channel())) {
                        List<String> all = now.lends().stream().filter(o -> o.deviceId().equals(l.deviceId()))
                                .map(o -> "'" + o.peerName() + "'").toList();
                        lines.add("lend started: " + l.deviceName() + " (" + l.deviceId() + ") to '" + l.peerName()
                                + "' (" + l.peer() + ")" + (all.size() > 1 ? "; in use by " + String.join(", ", all)
                                : ""));
                    }
                }
                for (Snapshot.Lend l : seen.lends()) {
                    if (!lendsNow.contains(l.peer() + "/" + l.channel())) {
                        lines.add("lend ended: " + l.deviceName() + " (" + l.deviceId() + ") to '" + l.peerName()
                                + "' (" + l.peer() + ")");
                    }
                }
                for (Snapshot.Borrowed b : now.borrows()) {
                    if (seen.borrows().stream().noneMatch(o -> o.peer().equals(b.peer())
                            && o.deviceId().equals(b.deviceId()))) {
                        lines.add("borrow started: " + b.deviceName() + " from '" + b.peerName() + "' (" + b.peer()
                                + ")");
                    }
                }
                for (Snapshot.Borrowed b : seen.borrows()) {
                    if (now.borrows().stream().noneMatch(o -> o.peer().equals(b.peer())
                            && o.deviceId().equals(b.deviceId()))) {
                        lines.add("borrow ended: " + b.deviceName() + " from '" + b.peerName() + "' (" + b.peer()
                                + ")");
                    }
                }
                seen = now;
            }
            lines.forEach(log::notice);
        }
    }
}
