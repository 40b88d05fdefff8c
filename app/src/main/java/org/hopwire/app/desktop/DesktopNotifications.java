package org.hopwire.app.desktop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;

/**
 * Desktop notifications with action buttons, through the freedesktop notification server on the session bus.
 * No bus, no server or a server that fails is "unavailable": {@link #show} then completes empty, and nothing is
 * thrown at the caller (the hub, a session thread). People can turn notifications off, so they are never the only
 * way a question is answered.
 *
 * <p>Threads: D-Bus calls run on one thread of this class with a bounded queue (a full queue drops the
 * notification, which then counts as not shown), never on the caller's; the server's signals arrive on dbus-java's
 * threads and go straight to the {@link Handler}, which must return quickly.
 */
public final class DesktopNotifications implements AutoCloseable {
    /** The application id: the desktop entry's name and the icon's, so the desktop attributes notifications. */
    public static final String APP_ID = "org.hopwire.Hopwire";
    /** The action a click on the notification's body sends (Desktop Notifications Specification). */
    public static final String DEFAULT_ACTION = "default";
    /** Notifications waiting for the D-Bus thread; more than this and the desktop is not answering anyway. */
    static final int QUEUE = 32;
    /** Signals kept for notifications whose id is not known yet: other applications' ids land here too. */
    static final int EARLY_SIGNALS = 16;

    /** A button: the key comes back when it is pressed. */
    public record Action(String key, String label) {
    }

    /** Why a notification went without an action. */
    public enum Closed {
        /** Its time ran out (the server's, or ours: some servers ignore the timeout asked for). */
        EXPIRED,
        /** The person dismissed it. */
        DISMISSED,
        /** {@link Shown#withdraw()} took it away (answered elsewhere). */
        WITHDRAWN,
        /** The server closed it for a reason of its own, or went away. */
        OTHER
    }

    /** Told once: either an action, or why it closed without one. */
    public interface Handler {
        void action(String key);

        void closed(Closed why);
    }

    /** One notification on the screen. */
    public final class Shown {
        private final long id;
        private final String owner;
        private final Handler handler;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> timer;

        private Shown(long id, String owner, Handler handler) {
            this.id = id;
            this.owner = owner;
            this.handler = handler;
        }

        public long id() {
            return id;
        }

        /** Takes it off the screen (CloseNotification); its handler hears nothing more. */
        public void withdraw() {
            if (finish()) {
                closeOnScreen();
            }
        }

        /** Our own timer ran out: off the screen, and the handler hears EXPIRED. */
        void expire() {
            if (finish()) {
                closeOnScreen();
                handler.closed(Closed.EXPIRED);
            }
        }

        private void closeOnScreen() {
            submit(() -> {
                Notifications s = server;
                if (s != null) {
                    try {
                        s.CloseNotification(new UInt32(id));
                    } catch (RuntimeException e) {
                        lost(e);
                    }
                }
                return null;
            });
        }

        private boolean finish() {
            boolean first = done.compareAndSet(false, true);
            if (first) {
                shown.remove(id);
                ScheduledFuture<?> t = timer;
                if (t != null) {
                    t.cancel(false);
                }
            }
            return first;
        }

        void actionInvoked(String key) {
            if (finish()) {
                handler.action(key);
            }
        }

        void closedWithout(Closed why) {
            if (finish()) {
                handler.closed(why);
            }
        }
    }

    /** A local bus answers at once; a bus that does not is as good as none (dbus-java waits 10 s by default). */
    static final int CONNECT_TIMEOUT_MS = 2000;

    static {
        // dbus-java logs through SLF4J; without a provider SLF4J says so on stderr, which is the service's journal.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
    }

    private final Optional<String> address;
    private final ThreadPoolExecutor calls;
    private final ScheduledExecutorService timers;
    private final Map<Long, Shown> shown = new ConcurrentHashMap<>();
    /** Signals for ids not registered yet (see {@link #deliver}); bounded, the oldest go first. */
    private final Map<Long, List<java.util.function.Consumer<Shown>>> early = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, List<java.util.function.Consumer<Shown>>> eldest) {
            return size() > EARLY_SIGNALS;
        }
    };
    // Touched on the calls thread only (but read by signal handlers and withdraw: volatile).
    private volatile DBusConnection connection;
    private volatile Notifications server;
    private DBus bus;
    private final List<AutoCloseable> signalHandlers = new ArrayList<>();
    private volatile String status = "not tried yet";
    private volatile boolean closed;

    /**
     * @param address the session bus's address; empty when there is none (then nothing is ever shown)
     */
    public DesktopNotifications(Optional<String> address) {
        this.address = address;
        this.calls = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> daemon(r, "hopwire-notifications"));
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> daemon(r,
                "hopwire-notifications-timer"));
        t.setRemoveOnCancelPolicy(true);
        this.timers = t;
        if (address.isEmpty()) {
            status = "no session bus (DBUS_SESSION_BUS_ADDRESS is not set and there is no $XDG_RUNTIME_DIR/bus)";
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * The session bus of this process's person: {@code DBUS_SESSION_BUS_ADDRESS}, else the systemd user bus at
     * {@code $XDG_RUNTIME_DIR/bus} (a user service sees that one even when the variable is not passed on).
     */
    public static Optional<String> sessionBusAddress(Map<String, String> env) {
        String a = env.get("DBUS_SESSION_BUS_ADDRESS");
        if (a != null && !a.isBlank()) {
            return Optional.of(a.strip());
        }
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            Path bus = Path.of(runtime, "bus");
            if (Files.exists(bus)) {
                return Optional.of("unix:path=" + bus);
            }
        }
        return Optional.empty();
    }

    /** The socket file of a {@code unix:path=} address (not of an abstract one, which has no file). */
    static Optional<Path> socketPath(String address) {
        for (String part : address.split(";")) {
            if (part.startsWith("unix:")) {
                for (String kv : part.substring(5).split(",")) {
                    if (kv.startsWith("path=")) {
                        return Optional.of(Path.of(kv.substring(5)));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** For this process's own session. */
    public static DesktopNotifications forSession() {
        return new DesktopNotifications(sessionBusAddress(System.getenv()));
    }

    /** Whether a notification server answers now (connecting first if need be); never fails. */
    public CompletableFuture<Boolean> available() {
        return submit(() -> connected() != null).exceptionally(e -> false);
    }

    /** Why notifications are (not) available, for a log line. */
    public String status() {
        return status;
    }

    /**
     * Shows a notification with buttons. Completes with the notification, or empty when there is no bus or no
     * server, or it failed (see {@link #status()}).
     *
     * @param timeout after this, the notification is taken away and the handler hears {@link Closed#EXPIRED}
     * @param urgent  critical urgency: stays on screen (pairing codes, consent questions)
     */
    public CompletableFuture<Optional<Shown>> show(String summary, String body, List<Action> actions,
                                                   Duration timeout, boolean urgent, Handler handler) {
        return submit(() -> {
            Notifications s = connected();
            if (s == null) {
                return Optional.<Shown>empty();
            }
            List<String> flat = new ArrayList<>();
            for (Action a : actions) {
                flat.add(a.key());
                flat.add(a.label());
            }
            Map<String, Variant<?>> hints = new LinkedHashMap<>();
            hints.put("desktop-entry", new Variant<>(APP_ID));
            hints.put("urgency", new Variant<>((byte) (urgent ? 2 : 1)));
            hints.put("category", new Variant<>("device"));
            try {
                long id = s.Notify(APP_ID.substring(APP_ID.lastIndexOf('.') + 1), new UInt32(0), APP_ID, summary,
                        body, flat, hints, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis())).longValue();
                String owner = bus.GetNameOwner(Notifications.BUS_NAME);
                Shown n = new Shown(id, owner, handler);
                List<java.util.function.Consumer<Shown>> waiting;
                synchronized (early) {
                    shown.put(id, n);
                    waiting = early.remove(id);
                }
                n.timer = timers.schedule(n::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (waiting != null) {
                    waiting.forEach(w -> w.accept(n));
                }
                return Optional.of(n);
            } catch (RuntimeException e) {
                lost(e);
                return Optional.<Shown>empty();
            }
        }).exceptionally(e -> Optional.empty());
    }

    /** How many notifications are on the screen and waiting (tests). */
    public int showing() {
        return shown.size();
    }

    private <T> CompletableFuture<T> submit(java.util.concurrent.Callable<T> call) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IllegalStateException("closed"));
            return f;
        }
        try {
            calls.execute(() -> {
                try {
                    f.complete(call.call());
                } catch (Exception | LinkageError e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    /** The server, connecting to the bus first if need be; null when unavailable. On the calls thread. */
    private Notifications connected() {
        if (address.isEmpty() || closed) {
            return null;
        }
        try {
            if (connection == null) {
                Optional<Path> socket = socketPath(address.get());
                if (socket.isPresent() && !Files.exists(socket.get())) {
                    status = "no session bus at " + socket.get();
                    return null;
                }
                DBusConnection c = DBusConnectionBuilder.forAddress(address.get()).withShared(false)
                        .transportConfig().withTimeout(CONNECT_TIMEOUT_MS).back().build();
                try {
                    bus = c.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
                    signalHandlers.add(c.addSigHandler(Notifications.ActionInvoked.class, sig ->
                            deliver(sig.id.longValue(), sig.getSource(), n -> n.actionInvoked(sig.actionKey))));
                    signalHandlers.add(c.addSigHandler(Notifications.NotificationClosed.class, sig -> {
                        Closed why = switch (sig.reason.intValue()) {
                            case 1 -> Closed.EXPIRED;
                            case 2 -> Closed.DISMISSED;
                            case 3 -> Closed.WITHDRAWN;
                            default -> Closed.OTHER;
                        };
                        deliver(sig.id.longValue(), sig.getSource(), n -> n.closedWithout(why));
                    }));
                    server = c.getRemoteObject(Notifications.BUS_NAME, Notifications.OBJECT_PATH,
                            Notifications.class);
                } catch (org.freedesktop.dbus.exceptions.DBusException | RuntimeException e) {
                    c.close();
                    throw e;
                }
                connection = c;
            }
            boolean present = bus.NameHasOwner(Notifications.BUS_NAME)
                    || Arrays.asList(bus.ListActivatableNames()).contains(Notifications.BUS_NAME);
            if (!present) {
                status = "no notification server on the session bus (" + address.get() + ")";
                return null;
            }
            status = "desktop notifications through " + Notifications.BUS_NAME + " on " + address.get();
            return server;
        } catch (org.freedesktop.dbus.exceptions.DBusException | java.io.IOException | RuntimeException e) {
            lost(e);
            return null;
        }
    }

    /**
     * Hands a signal to its notification. A click can arrive before Notify's reply has been read (a quick person,
     * a busy machine): such signals wait, a few at most, until the notification they belong to is registered, and
     * are checked against its sender then.
     */
    private void deliver(long id, String source, java.util.function.Consumer<Shown> what) {
        Shown n;
        synchronized (early) {
            n = shown.get(id);
            if (n == null) {
                early.computeIfAbsent(id, k -> new ArrayList<>()).add(x -> {
                    if (x.owner.equals(source)) {
                        what.accept(x);
                    }
                });
                return;
            }
        }
        if (n.owner.equals(source)) {
            what.accept(n);
        }
    }

    /** The bus or the server failed: start over at the next notification. On the calls thread. */
    private void lost(Exception e) {
        status = "the session bus at " + address.orElse("?") + " failed: " + e.getMessage();
        DBusConnection c = connection;
        connection = null;
        server = null;
        bus = null;
        closeHandlers();
        if (c != null) {
            c.disconnect();
        }
        // What was on the screen can no longer be answered there.
        new ArrayList<>(shown.values()).forEach(n -> n.closedWithout(Closed.OTHER));
    }

    private void closeHandlers() {
        for (AutoCloseable h : signalHandlers) {
            try {
                h.close();
            } catch (Exception ignored) {
                // the connection is going anyway
            }
        }
        signalHandlers.clear();
    }

    /** Takes every notification away and leaves the bus. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        new ArrayList<>(shown.values()).forEach(Shown::withdraw);
        CompletableFuture<Object> last = submit(() -> {
            closed = true;
            closeHandlers();
            DBusConnection c = connection;
            connection = null;
            if (c != null) {
                c.disconnect();
            }
            return null;
        });
        try {
            last.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            closed = true;
        }
        calls.shutdownNow();
        timers.shutdownNow();
    }
}
