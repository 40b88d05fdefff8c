package org.hopwire.app.core;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything the main window shows, at one moment: immutable, built off the UI thread by {@link Hub#snapshot()},
 * so the window only copies values into its controls.
 *
 * @param devices this host's devices
 * @param peers   the hosts on the cable, and those that were and may come back
 * @param lends   what this host lends now, to whom
 * @param borrows what this host borrows now, or waits to borrow again once its owner is back
 */
public record Snapshot(List<Device> devices, List<Peer> peers, List<Lend> lends, List<Borrowed> borrows) {
    public static final Snapshot EMPTY = new Snapshot(List.of(), List.of(), List.of(), List.of());

    /** A device, this host's or a peer's. */
    public record Device(String id, String name, int kind, boolean test, String summary) {
        public boolean isVideo() {
            return kind == org.hopwire.engine.protocol.ControlMessage.Device.VIDEO;
        }

        /** Pictures and sound together (a capture card): one borrow of both. */
        public boolean isAudioVideo() {
            return kind == org.hopwire.engine.protocol.ControlMessage.Device.AUDIO_VIDEO;
        }
    }

    /** A device this host lends now. */
    public record Lend(UUID peer, String peerName, int channel, String deviceId, String deviceName, String format) {
    }

    /**
     * A device this host borrows; {@code channel} is -1 while its owner is away and Hopwire waits to ask again.
     *
     * @param outputs        where its pictures go, for people ("preview, recording to ~/x.mkv")
     * @param stalled        no frame arrived on its channel for {@link Hub#STALL_MS} or more (never while waiting)
     * @param stalledSeconds for how long, in whole seconds, while stalled
     * @param stalledReason  why, for people, when known ("Demo laptop says the camera stopped"); else empty
     */
    public record Borrowed(UUID peer, String peerName, int channel, String deviceId, String deviceName, String caps,
                           String outputs, boolean stalled, int stalledSeconds, String stalledReason) {
        /** A borrow whose pictures come. */
        public Borrowed(UUID peer, String peerName, int channel, String deviceId, String deviceName, String caps,
                        String outputs) {
            this(peer, peerName, channel, deviceId, deviceName, caps, outputs, false, 0, "");
        }

        public boolean waiting() {
            return channel < 0;
        }
    }

    /**
     * One entry per borrowed device: a capture card's pictures and sound are two channels of one borrow, shown as
     * one (its outputs together, stalled when either half is), in the order the borrows came.
     */
    public static List<Borrowed> wholeBorrows(List<Borrowed> borrows) {
        java.util.Map<String, Borrowed> whole = new java.util.LinkedHashMap<>();
        for (Borrowed b : borrows) {
            whole.merge(b.peer() + "/" + b.deviceId(), b, (first, other) -> new Borrowed(first.peer(),
                    first.peerName(), first.channel(), first.deviceId(), first.deviceName(), first.caps(),
                    first.outputs().equals(other.outputs()) || other.outputs().isEmpty() ? first.outputs()
                            : first.outputs().isEmpty() ? other.outputs() : first.outputs() + ", " + other.outputs(),
                    first.stalled() || other.stalled(), Math.max(first.stalledSeconds(), other.stalledSeconds()),
                    first.stalled() ? first.stalledReason() : other.stalledReason()));
        }
        return List.copyOf(whole.values());
    }

    /** One channel's rates over the last half second. */
    public record ChannelRate(String device, boolean outgoing, double bytesPerSecond, double framesPerSecond,
                              long drops, long latencyP50Us, long latencyP99Us) {
    }

    /**
     * The link with one peer.
     *
     * @param sentBytesPerSecond     the data stream's rate out, one value per half second, oldest first (60 s)
     * @param receivedBytesPerSecond the same, in
     * @param roundTripUs            the last heartbeat's round trip, -1 before the first
     * @param protection             what protects the data stream in the session now (the stronger of the two
     *                               hosts' wishes), empty without a ready session
     */
    public record Link(List<Double> sentBytesPerSecond, List<Double> receivedBytesPerSecond,
                       List<ChannelRate> channels, long roundTripUs,
                       Optional<org.hopwire.engine.protocol.FrameSeal.Protection> protection,
                       List<AvOffset> avOffsets) {
        public static final Link NONE = new Link(List.of(), List.of(), List.of(), -1, Optional.empty());

        /** A link without capture cards borrowed. */
        public Link(List<Double> sentBytesPerSecond, List<Double> receivedBytesPerSecond, List<ChannelRate> channels,
                    long roundTripUs, Optional<org.hopwire.engine.protocol.FrameSeal.Protection> protection) {
            this(sentBytesPerSecond, receivedBytesPerSecond, channels, roundTripUs, protection, List.of());
        }
    }

    /**
     * How far apart a borrowed capture card's pictures and sound leave this host's outputs, measured on its ticks.
     *
     * @param ticks    how many ticks were measured (0: none yet)
     * @param medianMs pictures minus sound, the median over the last ticks
     * @param p95Ms    95 % of the last ticks were within this many milliseconds (either way)
     */
    public record AvOffset(String device, long ticks, double medianMs, double p95Ms) {
    }

    /**
     * A peer's card.
     *
     * @param cableId     its place on the cable as sysfs names it ("0-1")
     * @param speedGbps   per lane, as the link trained; 0 when offline
     * @param detail      why it is in its state, for people (empty when nothing to add)
     * @param emulated    true for a peer on the emulated fabric
     * @param pairingCode the code to compare while pairing
     */
    public record Peer(UUID uuid, String name, String cableId, int speedGbps, int lanes, PeerState state,
                       String detail, boolean emulated, Optional<String> pairingCode, List<Device> devices,
                       Link link) {
        /** The first 8 hex digits of the UUID: enough for a person to tell two hosts apart. */
        public String shortUuid() {
            return uuid.toString().substring(0, 8);
        }

        public Optional<Device> device(String id) {
            return devices.stream().filter(d -> d.id().equals(id)).findFirst();
        }
    }

    public Optional<Peer> peer(UUID uuid) {
        return peers.stream().filter(p -> p.uuid().equals(uuid)).findFirst();
    }

    public Optional<Device> device(String id) {
        return devices.stream().filter(d -> d.id().equals(id)).findFirst();
    }
}
