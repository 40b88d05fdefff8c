package org.hopwire.engine.fabric;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Another host on the cable: an XDomain device in sysfs.
 *
 * <p>The UUID is what the peer reports; Hopwire identifies a peer by it only together with pairing.
 *
 * @param id              the XDomain device name, {@code <domain>-<route>}, e.g. {@code 0-1}
 * @param deviceName      {@code device_name}, chosen by the peer
 * @param vendorName      {@code vendor_name}, chosen by the peer
 * @param uuid            {@code unique_id}: the peer host's UUID
 * @param rxSpeedGbps     receive speed per lane in Gb/s
 * @param txSpeedGbps     transmit speed per lane in Gb/s
 * @param rxLanes         receive lanes
 * @param txLanes         transmit lanes
 * @param authorized      whether the device is authorised (XDomains without the attribute count as authorised)
 * @param services        the protocol services it offers
 * @param maxHopId        {@code maxhopid}: the highest HopID it takes, which limits this host's out HopIDs towards
 *                        it; 0 when it announces none (the driver then assumes {@value Usb4Stream#PEER_DEFAULT_MAX_HOPID})
 */
public record PeerHost(String id, String deviceName, String vendorName, UUID uuid, int rxSpeedGbps, int txSpeedGbps,
                       int rxLanes, int txLanes, boolean authorized, List<ServiceInfo> services, int maxHopId) {
    public PeerHost {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(uuid, "uuid");
        deviceName = deviceName == null ? "" : deviceName;
        vendorName = vendorName == null ? "" : vendorName;
        services = List.copyOf(services);
    }

    /** The USB4STREAM service of this peer, if it offers one. */
    public Optional<ServiceInfo> streamService() {
        return services.stream().filter(ServiceInfo::isStream).findFirst();
    }

    /** The host router domain it is on: the N of {@code N-route}; this host is known to it by {@code N-0}. */
    public int domain() {
        int dash = id.indexOf('-');
        try {
            return Integer.parseInt(dash < 0 ? id : id.substring(0, dash));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The highest out HopID this host may use towards the peer. */
    public int outHopIdLimit() {
        return maxHopId > 0 ? maxHopId : Usb4Stream.PEER_DEFAULT_MAX_HOPID;
    }

    /** Link rate towards this host, all lanes, in Gb/s. */
    public int rxGbps() {
        return rxSpeedGbps * rxLanes;
    }

    /** Link rate towards the peer, all lanes, in Gb/s. */
    public int txGbps() {
        return txSpeedGbps * txLanes;
    }
}
