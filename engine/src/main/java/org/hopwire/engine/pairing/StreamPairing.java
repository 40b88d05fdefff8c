package org.hopwire.engine.pairing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricEvent;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.Problems;
import org.hopwire.engine.fabric.ServiceInfo;
import org.hopwire.engine.fabric.StreamAddress;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.StreamSpec;
import org.hopwire.engine.fabric.Subscription;
import org.hopwire.engine.fabric.Usb4Stream;

/**
 * Sets up agreed streams with a peer by the leader/follower rule, since userspace cannot see the peer's stream
 * names and only one side may allocate HopIDs.
 *
 * <p>The host whose UUID (in the peer's domain) sorts lower, as lower-case text, leads: it creates each stream with
 * automatic HopIDs, and the driver announces them. The other follows: it creates the same names without HopIDs, so
 * the driver takes the announced ones crossed over; while it reads HopID 0 the announcement has not arrived, so it
 * tears the stream down and waits for the peer's properties to be read again (a change uevent, where the fabric can
 * see one) or for a growing pause, then tries again. Either side may start first. Streams of the same names left
 * from an earlier run are torn down first, their announcements withdrawn. Every stream made is read back and
 * checked. On failure or interruption nothing made here is left behind.
 *
 * <p>What it cannot check: an announcement outlives {@code rmdir}, so a follower may inherit HopIDs the leader no
 * longer uses. Only the session above can tell, by its first message going unanswered; it then tears down and pairs
 * again.
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
         * A peer starting Hopwire by hand may come up well after this host, hence 60 s. An announcement takes the
         * driver 50 ms to send, 100 ms until the peer reads it, and a second read a second later: a first pause of
         * 100 ms, doubling to 1 s, meets it without spinning, and a change uevent ends a pause early where the fabric
         * sees one.
         */
        public static final Options DEFAULT = new Options(Duration.ofSeconds(60), Duration.ofMillis(100),
                Duration.ofSeconds(1), Usb4Stream.DEFAULT_RING_SIZE, Usb4Stream.DEFAULT_THROTTLING_NS);

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
        boolean leader = leads(fabric.localHostUuid(peer), peer.uuid());
        List<StreamInfo> made = new ArrayList<>();
        try (ServiceSignals signals = new ServiceSignals(fabric, service.name())) {
            long deadline = System.nanoTime() + options.timeout().toNanos();
            for (String name : names) {
                made.add(leader ? lead(fabric, peer, service.name(), name, options)
                        : follow(fabric, peer, service.name(), name, options, deadline, signals));
            }
            return new PairedStreams(fabric, peer, leader, made);
        } catch (FabricException | InterruptedException | RuntimeException e) {
            new PairedStreams(fabric, peer, leader, made).close();
            throw e;
        }
    }

    /**
     * Tears down every stream of this host named in {@code names}, in any service group: what a run that crashed left
     * (still announced to its peer, whose next stream of that name would inherit its HopIDs). Call it once at start,
     * before any session; returns what it removed.
     */
    public static List<StreamAddress> removeLeftovers(Fabric fabric, Collection<String> names) throws FabricException {
        List<StreamAddress> removed = new ArrayList<>();
        for (StreamInfo s : fabric.streams()) {
            if (names.contains(s.address().name())) {
                fabric.removeStream(s.address());
                removed.add(s.address());
            }
        }
        return removed;
    }

    private static StreamInfo lead(Fabric fabric, PeerHost peer, String service, String name, Options o)
            throws FabricException {
        StreamSpec spec = StreamSpec.automatic(name).withRingSize(o.ringSize()).withThrottlingNs(o.throttlingNs());
        replaceStale(fabric, service, name);
        StreamInfo s = fabric.createStream(service, spec);
        Optional<FabricException> wrong = check(fabric, peer, s);
        if (wrong.isPresent()) {
            fabric.removeStream(s.address());
            throw wrong.get();
        }
        return s;
    }

    private static StreamInfo follow(Fabric fabric, PeerHost peer, String service, String name, Options o,
                                     long deadline, ServiceSignals signals)
            throws FabricException, InterruptedException {
        StreamSpec spec = StreamSpec.inherited(name).withRingSize(o.ringSize()).withThrottlingNs(o.throttlingNs());
        replaceStale(fabric, service, name);
        long pauseNs = o.firstBackoff().toNanos();
        while (true) {
            long seen = signals.count();
            StreamInfo s = fabric.createStream(service, spec);
            if (s.hasHopIds()) {
                Optional<FabricException> wrong = check(fabric, peer, s);
                if (wrong.isEmpty()) {
                    return s;
                }
                fabric.removeStream(s.address());
                throw wrong.get();
            }
            // Not announced yet: the driver looks only when the stream attaches, so it must go and come again.
            fabric.removeStream(s.address());
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new PairingTimeoutException("host " + describe(peer) + " has not announced stream '" + name
                        + "' within " + o.timeout().toSeconds() + " s: is Hopwire running there, and is the cable"
                        + " in?");
            }
            signals.awaitAfter(seen, Math.min(pauseNs, left));
            pauseNs = Math.min(pauseNs * 2, o.maxBackoff().toNanos());
        }
    }

    /**
     * Reads a new stream back as the driver shows it after attach, where allocation errors are ignored: it must be
     * attached, have both HopIDs in range, and share neither with another stream on the same service.
     */
    private static Optional<FabricException> check(Fabric fabric, PeerHost peer, StreamInfo made)
            throws FabricException {
        StreamInfo s = fabric.stream(made.address()).orElseThrow(() -> Problems.noSuchStream(made.address()));
        if (!s.attached()) {
            return Optional.of(Problems.peerNotConnected(s.address()));
        }
        boolean inRange = s.hasHopIds() && s.outHopId() <= peer.outHopIdLimit();
        boolean shared = fabric.streams().stream().anyMatch(o -> !o.address().equals(s.address())
                && o.address().service().equals(s.address().service())
                && (o.inHopId() == s.inHopId() || o.outHopId() == s.outHopId()));
        if (!inRange || shared) {
            return Optional.of(new FabricException(Errno.EBUSY, "the driver shows HopIDs " + s.inHopId() + "/"
                    + s.outHopId() + " for " + s.address() + " that it could not allocate"
                    + (shared ? " (another stream holds one of them)" : "") + ": remove streams you no longer use"));
        }
        return Optional.empty();
    }

    private static void replaceStale(Fabric fabric, String service, String name) throws FabricException {
        var stale = fabric.stream(new StreamAddress(service, name));
        if (stale.isPresent()) {
            fabric.removeStream(stale.get().address());
        }
    }

    private static String describe(PeerHost peer) {
        return (peer.deviceName().isEmpty() ? "" : "'" + peer.deviceName() + "' ") + "(" + peer.id() + ", "
                + peer.uuid() + ")";
    }

    /** Counts change uevents on one service device, so a follower can wait for the next instead of polling. */
    private static final class ServiceSignals implements AutoCloseable {
        private final Subscription subscription;
        private long count;

        ServiceSignals(Fabric fabric, String service) {
            subscription = fabric.addListener(e -> {
                if (e instanceof FabricEvent.ServiceChanged c && c.service().equals(service)) {
                    synchronized (this) {
                        count++;
                        notifyAll();
                    }
                }
            });
        }

        synchronized long count() {
            return count;
        }

        /** Waits until a uevent newer than {@code seen} arrived, or {@code timeoutNs} passed. */
        synchronized void awaitAfter(long seen, long timeoutNs) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNs;
            while (count == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        @Override
        public void close() {
            subscription.close();
        }
    }
}
