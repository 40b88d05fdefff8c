package org.hopwire.engine.trust;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A host this one has paired with: its UUID, the pairing key, the name it gave, and the devices its person may
 * borrow without being asked again ("always").
 */
public record PairedPeer(UUID uuid, byte[] key, String name, Instant pairedAt, Set<String> alwaysAllowed) {
    public PairedPeer {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(key, "key");
        name = name == null ? "" : name;
        alwaysAllowed = Set.copyOf(alwaysAllowed);
    }

    public PairedPeer withAlwaysAllowed(String deviceId) {
        var more = new java.util.HashSet<>(alwaysAllowed);
        more.add(deviceId);
        return new PairedPeer(uuid, key, name, pairedAt, more);
    }
}
