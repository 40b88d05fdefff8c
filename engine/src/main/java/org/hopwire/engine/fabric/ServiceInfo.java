package org.hopwire.engine.fabric;

import java.util.Objects;

/**
 * A protocol service a peer host offers, as sysfs shows it under {@code <xdomain>.<n>}.
 *
 * @param name              the service device, e.g. {@code 0-1.0}; also the ConfigFS group name for USB4STREAM
 * @param key               the protocol key, {@code stream} for USB4STREAM
 * @param protocolId        {@code prtcid}
 * @param protocolVersion   {@code prtcvers}
 * @param protocolRevision  {@code prtcrevs}
 * @param protocolSettings  {@code prtcstns}
 */
public record ServiceInfo(String name, String key, int protocolId, int protocolVersion, int protocolRevision,
                          int protocolSettings) {
    public ServiceInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
    }

    /** Whether this is a USB4STREAM service, the only kind Hopwire can make streams on. */
    public boolean isStream() {
        return Usb4Stream.SERVICE_KEY.equals(key);
    }
}
