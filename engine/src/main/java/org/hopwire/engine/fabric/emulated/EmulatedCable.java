package org.hopwire.engine.fabric.emulated;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cable between two emulated hosts, which tests and the demo can plug and unplug at any moment.
 *
 * <p>Unplugging breaks every stream over it at once: blocked and later reads and writes fail as the driver's do
 * with ENXIO. A replug is a new connection: streams must be opened again.
 */
public final class EmulatedCable {
    private final EmulatedWorld world;
    private final EmulatedHost a;
    private final int routeOnA;
    private final EmulatedHost b;
    private final int routeOnB;
    private final CableProfile profile;
    private final LinkSchedule aToB;
    private final LinkSchedule bToA;

    // Guarded by the world's monitor.
    private boolean plugged;
    private long generation;
    /** The pipes of the current connection, by direction and HopID. */
    private Map<Long, Pipe> pipes = new ConcurrentHashMap<>();

    EmulatedCable(EmulatedWorld world, EmulatedHost a, int routeOnA, EmulatedHost b, int routeOnB,
                  CableProfile profile) {
        this.world = world;
        this.a = a;
        this.routeOnA = routeOnA;
        this.b = b;
        this.routeOnB = routeOnB;
        this.profile = profile;
        this.aToB = profile.isThrottled() ? new LinkSchedule(profile) : null;
        this.bToA = profile.isThrottled() ? new LinkSchedule(profile) : null;
    }

    public CableProfile profile() {
        return profile;
    }

    public boolean isPlugged() {
        synchronized (world) {
            return plugged;
        }
    }

    /** Connects the hosts: each sees the other appear, and their announced streams follow after the delay. */
    public void plug() {
        synchronized (world) {
            if (plugged) {
                return;
            }
            plugged = true;
            generation++;
            world.notifyAll();
        }
        a.cableChanged(this);
        b.cableChanged(this);
    }

    /** Pulls the cable: open streams over it fail with ENXIO, and each host sees the other go. */
    public void unplug() {
        Map<Long, Pipe> broken;
        synchronized (world) {
            if (!plugged) {
                return;
            }
            plugged = false;
            generation++;
            broken = pipes;
            pipes = new ConcurrentHashMap<>();
            world.notifyAll();
        }
        broken.values().forEach(p -> p.breakLink("the cable was unplugged or the peer host went away"));
        a.cableChanged(this);
        b.cableChanged(this);
    }

    // ---- for the hosts (callers hold the world's monitor) ------------------------------------------------------

    boolean pluggedLocked() {
        return plugged;
    }

    long generationLocked() {
        return generation;
    }

    EmulatedHost peerOf(EmulatedHost host) {
        return host == a ? b : a;
    }

    int routeOn(EmulatedHost host) {
        return host == a ? routeOnA : routeOnB;
    }

    /** Forgets the pipe into a removed stream's RX ring; a writer still holding it writes into the void. */
    void discardPipeLocked(EmulatedHost from, int hopId) {
        pipes.remove(key(from, hopId));
    }

    private long key(EmulatedHost from, int hopId) {
        return ((from == a ? 0L : 1L) << 32) | hopId;
    }

    /** The pipe carrying data from {@code from} to its peer on {@code hopId}, made on first use. */
    Pipe pipeLocked(EmulatedHost from, int hopId, int capacity) {
        return pipes.computeIfAbsent(key(from, hopId), k -> new Pipe(from == a ? aToB : bToA, capacity));
    }
}
