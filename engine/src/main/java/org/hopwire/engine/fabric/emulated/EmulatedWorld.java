package org.hopwire.engine.fabric.emulated;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    /** The system property that picks the announcement timing of worlds made without explicit settings. */
    public static final String TIMING_PROPERTY = "hopwire.emulator.timing";

    /** What happens to bytes written towards a reader whose device is not open (it has no RX ring yet). */
    public enum EarlyData {
        /** Flow control holds them in the writer's TX ring; they arrive when the reader opens. */
        HELD,
        /** They are sent and dropped on arrival: the reader never sees them. */
        LOST
    }

    /**
     * How long an XDomain property change takes, as the driver does it: the change is sent after {@code send}, the
     * peer re-reads the properties {@code reread} later, and once more {@code secondReread} after that. Each re-read
     * raises a change uevent on the peer's service device.
     */
    public record AnnounceTiming(Duration send, Duration reread, Duration secondReread) {
        /** The driver's: 50 ms, 100 ms, then about 1 s: an announcement can take up to ~1.2 s to arrive. */
        public static final AnnounceTiming DRIVER = new AnnounceTiming(Duration.ofMillis(50), Duration.ofMillis(100),
                Duration.ofSeconds(1));
        /** The same steps, ten times faster, so the unit tests of everything above the fabric stay quick. */
        public static final AnnounceTiming FAST = new AnnounceTiming(Duration.ofMillis(5), Duration.ofMillis(10),
                Duration.ofMillis(100));

        public AnnounceTiming {
            Objects.requireNonNull(send, "send");
            Objects.requireNonNull(reread, "reread");
            Objects.requireNonNull(secondReread, "secondReread");
        }

        /** When the peer first sees a change. */
        public Duration firstArrival() {
            return send.plus(reread);
        }

        /** When the peer has certainly seen it. */
        public Duration lastArrival() {
            return firstArrival().plus(secondReread);
        }
    }

    /**
     * World-wide driver settings.
     *
     * @param maxHopId     the highest HopID a lane adapter offers (the driver's usual 19); each host announces it as
     *                     its {@code maxhopid}
     * @param timing       how long announcements take
     * @param closeDrain   how long a last close waits for queued frames before cancelling them (the driver: 500 ms)
     * @param earlyData    bytes towards a reader that has not opened: held or lost (real hardware may do either)
     * @param dmaRings     DMA ring pairs per host controller for streams (Intel: 12, one for control traffic)
     */
    public record Settings(int maxHopId, AnnounceTiming timing, Duration closeDrain, EarlyData earlyData,
                           int dmaRings) {
        /** The driver's behaviour, with announcements ten times faster than the driver's (see {@link #DRIVER}). */
        public static final Settings DEFAULT = new Settings(Usb4Stream.DEFAULT_MAX_HOPID, AnnounceTiming.FAST,
                Duration.ofMillis(500), EarlyData.HELD, 11);
        /** The driver's behaviour and its real announcement latency: up to ~1.2 s. */
        public static final Settings DRIVER = DEFAULT.withTiming(AnnounceTiming.DRIVER);

        public Settings {
            if (maxHopId < Usb4Stream.MIN_HOPID) {
                throw new IllegalArgumentException("maxHopId must be at least " + Usb4Stream.MIN_HOPID);
            }
            Objects.requireNonNull(timing, "timing");
            Objects.requireNonNull(closeDrain, "closeDrain");
            Objects.requireNonNull(earlyData, "earlyData");
            if (dmaRings < 1) {
                throw new IllegalArgumentException("a controller has at least one DMA ring for streams");
            }
        }

        public Settings withTiming(AnnounceTiming t) {
            return new Settings(maxHopId, t, closeDrain, earlyData, dmaRings);
        }

        public Settings withEarlyData(EarlyData e) {
            return new Settings(maxHopId, timing, closeDrain, e, dmaRings);
        }

        public Settings withCloseDrain(Duration drain) {
            return new Settings(maxHopId, timing, drain, earlyData, dmaRings);
        }

        public Settings withDmaRings(int rings) {
            return new Settings(maxHopId, timing, closeDrain, earlyData, rings);
        }

        /**
         * {@link #DEFAULT}, or {@link #DRIVER} when the system property {@value #TIMING_PROPERTY} says
         * {@code driver} (how the test suite runs the sessions and the app on the real latencies).
         */
        public static Settings fromSystemProperties() {
            String timing = System.getProperty(TIMING_PROPERTY, "fast").trim().toLowerCase(Locale.ROOT);
            return switch (timing) {
                case "driver" -> DRIVER;
                case "fast", "" -> DEFAULT;
                default -> throw new IllegalArgumentException(TIMING_PROPERTY + " must be 'fast' or 'driver', not '"
                        + timing + "'");
            };
        }
    }

    private final Settings settings;
    private final ScheduledExecutorService emulatorThread;
    private final List<EmulatedHost> hosts = new ArrayList<>();
    private final List<EmulatedCable> cables = new ArrayList<>();
    private boolean closed;

    /** A world with {@link Settings#fromSystemProperties()}. */
    public EmulatedWorld() {
        this(Settings.fromSystemProperties());
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

    /** Adds a host with one host router (domain 0); its name is what peers read as {@code device_name}. */
    public synchronized EmulatedHost addHost(String name, UUID uuid) {
        EmulatedHost host = new EmulatedHost(this, name, uuid);
        hosts.add(host);
        return host;
    }

    /** Joins two hosts' first domains with a cable, plugged in, that behaves as {@code profile} says. */
    public EmulatedCable connect(EmulatedHost a, EmulatedHost b, CableProfile profile) {
        return connect(a, 0, b, 0, profile);
    }

    /** Joins a domain (host router) of one host to a domain of another with a cable, plugged in. */
    public EmulatedCable connect(EmulatedHost a, int domainA, EmulatedHost b, int domainB, CableProfile profile) {
        EmulatedCable cable;
        synchronized (this) {
            if (a == b || a.world() != this || b.world() != this) {
                throw new IllegalArgumentException("a cable joins two different hosts of this world");
            }
            cable = new EmulatedCable(this, a, domainA, a.nextRoute(domainA), b, domainB, b.nextRoute(domainB),
                    profile);
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
