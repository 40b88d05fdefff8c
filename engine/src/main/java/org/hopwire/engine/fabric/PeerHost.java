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
 */
public record PeerHost(String id, String deviceName, String vendorName, UUID uuid, int rxSpeedGbps, int txSpeedGbps,
                       int rxLanes, int txLanes, boolean authorized, List<ServiceInfo> services) {
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

    /** Link rate towards this host, all lanes, in Gb/s. */
    public int rxGbps() {
        return rxSpeedGbps * rxLanes;
    }

    /** Link rate towards the peer, all lanes, in Gb/s. */
    public int txGbps() {
        return txSpeedGbps * txLanes;
    }
}
