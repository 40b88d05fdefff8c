package org.hopwire.engine.pairing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.ServiceInfo;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.StreamSpec;
import org.hopwire.engine.fabric.Usb4Stream;

/**
 * Sets up agreed streams with a peer by the leader/follower rule, since userspace cannot see the peer's stream
 * names and only one side may allocate HopIDs.
 *
 * <p>The host whose UUID sorts lower (as lower-case text) leads: it creates each stream with automatic HopIDs, and
 * the driver announces them. The other follows: it creates the same names without HopIDs, so the driver takes the
 * announced ones crossed over; while it reads HopID 0 the announcement has not arrived, so it removes the stream
 * and tries again with growing pauses. Either side may start first. A stream of the same name left from an earlier
 * run is replaced. On failure or interruption nothing made here is left behind.
 */
public final class StreamPairing {
    /**
     * How pairing behaves.
     *
     * @param timeout         how long a follower waits for the leader's announcements in all
     * @param firstBackoff    the first pause between a follower's tries; doubles up to {@code maxBackoff}
     * @param maxBackoff      the longest pause
     * @param ringSize        ring size of the streams made
     * @param throttlingNs    interrupt throttling of the streams made
     */
    public record Options(Duration timeout, Duration firstBackoff, Duration maxBackoff, int ringSize,
                          long throttlingNs) {
        /**
         * A peer starting Hopwire by hand may come up well after this host, hence 60 s; XDomain property changes take
         * tens of milliseconds to cross, hence a first pause of 10 ms, capped at 500 ms so a late peer is met soon.
         */
        public static final Options DEFAULT = new Options(Duration.ofSeconds(60), Duration.ofMillis(10),
                Duration.ofMillis(500), Usb4Stream.DEFAULT_RING_SIZE, Usb4Stream.DEFAULT_THROTTLING_NS);

        public Options {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(firstBackoff, "firstBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
        }

        public Options withTimeout(Duration t) {
            return new Options(t, firstBackoff, maxBackoff, ringSize, throttlingNs);
        }
    }

    private StreamPairing() {
    }

    /** Whether the host with UUID {@code local} leads towards {@code peer}. */
    public static boolean leads(UUID local, UUID peer) {
        String l = local.toString().toLowerCase(Locale.ROOT);
        String p = peer.toString().toLowerCase(Locale.ROOT);
        if (l.equals(p)) {
            throw new IllegalArgumentException("the peer reports this host's own UUID " + local
                    + ": two hosts cannot share a UUID");
        }
        return l.compareTo(p) < 0;
    }

    /** Creates the named streams towards {@code peer}, leading or following as the UUIDs decide. */
    public static PairedStreams pair(Fabric fabric, PeerHost peer, List<String> names, Options options)
            throws FabricException, InterruptedException {
        ServiceInfo service = peer.streamService().orElseThrow(() -> new FabricException(Errno.ENODEV,
                "host " + describe(peer) + " offers no USB4STREAM service: load thunderbolt_stream there"
                        + " ('sudo modprobe thunderbolt_stream')"));
        boolean leader = leads(fabric.localHostUuid(), peer.uuid());
        List<StreamInfo> made = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + options.timeout().toNanos();
            for (String name : names) {
                made.add(leader ? lead(fabric, service.name(), name, options)
                        : follow(fabric, peer, service.name(), name, options, deadline));
            }
            return new PairedStreams(fabric, peer, leader, made);
        } catch (FabricException | InterruptedException | RuntimeException e) {
            new PairedStreams(fabric, peer, leader, made).close();
            throw e;
        }
    }

    private static StreamInfo lead(Fabric fabric, String service, String name, Options o) throws FabricException {
        StreamSpec spec = StreamSpec.automatic(name).withRingSize(o.ringSize()).withThrottlingNs(o.throttlingNs());
        replaceStale(fabric, service, name);
        return fabric.createStream(service, spec);
    }

    private static StreamInfo follow(Fabric fabric, PeerHost peer, String service, String name, Options o,
                                     long deadline) throws FabricException, InterruptedException {
        StreamSpec spec = StreamSpec.inherited(name).withRingSize(o.ringSize()).withThrottlingNs(o.throttlingNs());
        replaceStale(fabric, service, name);
        long pauseNs = o.firstBackoff().toNanos();
        while (true) {
            StreamInfo s = fabric.createStream(service, spec);
            if (s.hasHopIds()) {
                return s;
            }
            // Not announced yet: the driver looks only at mkdir time, so the directory must go and come again.
            fabric.removeStream(s.address());
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new PairingTimeoutException("host " + describe(peer) + " has not announced stream '" + name
                        + "' within " + o.timeout().toSeconds() + " s: is Hopwire running there, and is the cable"
                        + " in?");
            }
            long sleep = Math.min(pauseNs, left);
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            pauseNs = Math.min(pauseNs * 2, o.maxBackoff().toNanos());
        }
    }

    private static void replaceStale(Fabric fabric, String service, String name) throws FabricException {
        var stale = fabric.stream(new org.hopwire.engine.fabric.StreamAddress(service, name));
        if (stale.isPresent()) {
            fabric.removeStream(stale.get().address());
        }
    }

    private static String describe(PeerHost peer) {
        return (peer.deviceName().isEmpty() ? "" : "'" + peer.deviceName() + "' ") + "(" + peer.id() + ", "
                + peer.uuid() + ")";
    }
}
