package org.hopwire.engine.fabric.emulated;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cable between a host router (domain) of one emulated host and one of another, which tests and the demo can plug
 * and unplug at any moment.
 *
 * <p>Unplugging breaks every stream over it at once: blocked and later reads and writes fail as the driver's do
 * with ENXIO. A replug is a new connection; a device still open from before never gets its rings back.
 */
public final class EmulatedCable {
    private final EmulatedWorld world;
    private final EmulatedHost a;
    private final int domainOnA;
    private final int routeOnA;
    private final EmulatedHost b;
    private final int domainOnB;
    private final int routeOnB;
    private final CableProfile profile;
    private final LinkSchedule aToB;
    private final LinkSchedule bToA;

    // Guarded by the world's monitor.
    private boolean plugged;
    private long generation;
    /** The pipes of the current connection, by direction and the writer's out HopID. */
    private Map<Long, Pipe> pipes = new ConcurrentHashMap<>();

    EmulatedCable(EmulatedWorld world, EmulatedHost a, int domainOnA, int routeOnA, EmulatedHost b, int domainOnB,
                  int routeOnB, CableProfile profile) {
        this.world = world;
        this.a = a;
        this.domainOnA = domainOnA;
        this.routeOnA = routeOnA;
        this.b = b;
        this.domainOnB = domainOnB;
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

    /** Connects the hosts: each sees the other appear, and their streams attach and announce. */
    public void plug() {
        synchronized (world) {
            if (plugged) {
                return;
            }
            plugged = true;
            generation++;
            a.cableChanged(this);
            b.cableChanged(this);
            world.notifyAll();
        }
        a.changed();
        b.changed();
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
            a.cableChanged(this);
            b.cableChanged(this);
            world.notifyAll();
        }
        broken.values().forEach(p -> p.breakLink("the cable was unplugged or the peer host went away"));
        a.changed();
        b.changed();
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

    int domainOn(EmulatedHost host) {
        return host == a ? domainOnA : domainOnB;
    }

    private long key(EmulatedHost from, int hopId) {
        return ((from == a ? 0L : 1L) << 32) | hopId;
    }

    /** The pipe carrying data from {@code from} to its peer on {@code from}'s out HopID, made on first use. */
    Pipe pipeLocked(EmulatedHost from, int hopId, int ringSize) {
        return pipes.computeIfAbsent(key(from, hopId), k -> new Pipe(from == a ? aToB : bToA, ringSize,
                world.settings().earlyData()));
    }
}
