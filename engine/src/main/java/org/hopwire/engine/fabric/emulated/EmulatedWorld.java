package org.hopwire.engine.fabric.emulated;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.Usb4Stream;

/**
 * An in-process Thunderbolt world: emulated hosts joined by emulated cables, each host running an emulation of the
 * {@code thunderbolt_stream} driver.
 *
 * <p>Configuration state of every host is guarded by this object's monitor; data moves through {@link Pipe}s
 * without it. Announcements and change notifications run on one emulator thread, in order.
 */
public final class EmulatedWorld implements AutoCloseable {
    /**
     * World-wide driver settings.
     *
     * @param maxHopId        the highest HopID a lane adapter offers (the driver's usual 19)
     * @param announceDelay   how long an XDomain property change takes to reach the peer; real links take tens of
     *                        milliseconds, and a non-zero value makes followers meet the "not announced yet" case
     */
    public record Settings(int maxHopId, Duration announceDelay) {
        public static final Settings DEFAULT = new Settings(Usb4Stream.DEFAULT_MAX_HOPID, Duration.ofMillis(20));

        public Settings {
            if (maxHopId < Usb4Stream.MIN_HOPID) {
                throw new IllegalArgumentException("maxHopId must be at least " + Usb4Stream.MIN_HOPID);
            }
            Objects.requireNonNull(announceDelay, "announceDelay");
        }
    }

    private final Settings settings;
    private final ScheduledExecutorService emulatorThread;
    private final List<EmulatedHost> hosts = new ArrayList<>();
    private final List<EmulatedCable> cables = new ArrayList<>();
    private boolean closed;

    public EmulatedWorld() {
        this(Settings.DEFAULT);
    }

    public EmulatedWorld(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.emulatorThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hopwire-emulator");
            t.setDaemon(true);
            return t;
        });
    }

    public Settings settings() {
        return settings;
    }

    /** Adds a host with a random UUID. */
    public EmulatedHost addHost(String name) {
        return addHost(name, UUID.randomUUID());
    }

    /** Adds a host; its name is what peers read as {@code device_name}. */
    public synchronized EmulatedHost addHost(String name, UUID uuid) {
        EmulatedHost host = new EmulatedHost(this, name, uuid);
        hosts.add(host);
        return host;
    }

    /** Joins two hosts with a cable, plugged in, that behaves as {@code profile} says. */
    public EmulatedCable connect(EmulatedHost a, EmulatedHost b, CableProfile profile) {
        EmulatedCable cable;
        synchronized (this) {
            if (a == b || a.world() != this || b.world() != this) {
                throw new IllegalArgumentException("a cable joins two different hosts of this world");
            }
            cable = new EmulatedCable(this, a, a.nextRoute(), b, b.nextRoute(), profile);
            cables.add(cable);
            a.attach(cable);
            b.attach(cable);
        }
        cable.plug();
        return cable;
    }

    /** Joins two hosts with an unthrottled cable, plugged in. */
    public EmulatedCable connect(EmulatedHost a, EmulatedHost b) {
        return connect(a, b, CableProfile.UNTHROTTLED);
    }

    public synchronized List<EmulatedHost> hosts() {
        return List.copyOf(hosts);
    }

    /** Runs a task on the emulator thread after a delay (at once for zero), unless the world is closed. */
    void later(Duration delay, Runnable task) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        try {
            if (delay.isZero()) {
                emulatorThread.execute(task);
            } else {
                emulatorThread.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // The world is closing: nobody is left to tell.
        }
    }

    /** Unplugs every cable and stops the emulator thread. */
    @Override
    public void close() {
        List<EmulatedCable> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            all = List.copyOf(cables);
        }
        all.forEach(EmulatedCable::unplug);
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        emulatorThread.shutdownNow();
        try {
            emulatorThread.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
