package org.hopwire.engine.fabric;

import java.util.Objects;

/**
 * Where a stream lives in ConfigFS: its service group and its own name.
 *
 * <p>Neither part is checked here: the driver judges names, and the fabric reports what it says.
 *
 * @param service the service group, e.g. {@code 0-1.0}
 * @param name    the stream name, at most 8 characters
 */
public record StreamAddress(String service, String name) {
    public StreamAddress {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return service + "/" + name;
    }
}
