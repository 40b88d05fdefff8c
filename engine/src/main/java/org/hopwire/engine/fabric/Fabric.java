package org.hopwire.engine.fabric;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * How one host sees the Thunderbolt world: the peer hosts on the cable, the USB4STREAM streams configured towards
 * them, and their character devices.
 *
 * <p>Two implementations stand behind it: {@code KernelFabric} drives the real driver through sysfs, ConfigFS and
 * {@code /dev/tbstreamN}; {@code EmulatedFabric} is one host of an in-process emulated fabric that behaves like the
 * driver. A conformance suite holds both to the same behaviour.
 *
 * <p>Streams this fabric created, and the service groups it made for them, are removed when it closes.
 */
public interface Fabric extends AutoCloseable {
    /** A short word for people: {@code kernel} or {@code emulated}. */
    String kind();

    /** This host's UUID in its first domain (host router); see {@link #localHostUuid(PeerHost)} for a given peer. */
    UUID localHostUuid() throws FabricException;

    /**
     * This host's UUID as {@code peer} knows it: the {@code unique_id} of this host's router in the peer's domain. A
     * machine with two USB4 host routers has two domains and a UUID in each; leading, pairing and the HELLO check
     * must use the one the peer sees.
     */
    default UUID localHostUuid(PeerHost peer) throws FabricException {
        return localHostUuid();
    }

    /** The hosts on the cable now. */
    List<PeerHost> peers() throws FabricException;

    /** One peer by its XDomain id ({@code 0-1}), if it is on the cable. */
    default Optional<PeerHost> peer(String id) throws FabricException {
        return peers().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** All streams configured on this host, on every service group. */
    List<StreamInfo> streams() throws FabricException;

    /** One stream, if it exists. */
    default Optional<StreamInfo> stream(StreamAddress address) throws FabricException {
        return streams().stream().filter(s -> s.address().equals(address)).findFirst();
    }

    /**
     * Creates a stream on a service group (making the group if needed), writes its ring settings and HopIDs, and
     * returns it as the driver then shows it. On any failure nothing it made is left behind.
     */
    StreamInfo createStream(String service, StreamSpec spec) throws FabricException;

    /**
     * Tears a stream down so nothing of it is left, on this host or announced to the peer: closes this fabric's
     * channels on it, writes 0 to both HopIDs (the only thing that withdraws the announcement: {@code rmdir} alone
     * leaves it, and the peer's next stream of that name would inherit stale HopIDs), then removes the directory,
     * and the service group if this fabric made it and no stream is left in it.
     */
    void removeStream(StreamAddress address) throws FabricException;

    /** Writes the HopIDs ({@link Usb4Stream#HOPID_AUTO}, {@link Usb4Stream#HOPID_UNSET} or a value). */
    StreamInfo setHopIds(StreamAddress address, int inHopId, int outHopId) throws FabricException;

    /** Writes the ring size in frames. */
    StreamInfo setRingSize(StreamAddress address, int frames) throws FabricException;

    /** Writes the interrupt throttling in ns. */
    StreamInfo setThrottling(StreamAddress address, long throttlingNs) throws FabricException;

    /**
     * Opens a stream's device, never blocking longer than {@code timeout}. While no connection is attached it waits
     * for one (zero: fails at once, like {@code O_NONBLOCK}) and then throws {@link PeerNotConnectedException}; with
     * a connection and a HopID unset it throws {@link HopIdUnsetException} at once, or, if it had to wait, when the
     * time is up. It does not wait for the peer to open its end: bytes written before the peer opens may be held or
     * lost, so the first message of a protocol is repeated until answered.
     */
    StreamChannel open(StreamAddress address, Duration timeout) throws FabricException, InterruptedException;

    /** Registers a listener for peer and stream changes. */
    Subscription addListener(FabricListener listener);

    /** Removes what this fabric created and stops its threads. Channels it opened are closed. */
    @Override
    void close();
}
