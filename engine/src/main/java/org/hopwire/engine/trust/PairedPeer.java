package org.hopwire.engine.trust;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A host this one has paired with: its UUID, the pairing key, the name it gave, the devices its person may borrow
 * without being asked again ("always"), and the pairing generation that made the key ({@link
 * PairingCrypto#PAIRING_VERSION}; older keys were made by an exchange a device in the path could pass).
 */
public record PairedPeer(UUID uuid, byte[] key, String name, Instant pairedAt, Set<String> alwaysAllowed,
                         int version, Set<String> alwaysWithoutControls) {
    /** A pairing whose "always" devices may all be adjusted by the peer. */
    public PairedPeer(UUID uuid, byte[] key, String name, Instant pairedAt, Set<String> alwaysAllowed, int version) {
        this(uuid, key, name, pairedAt, alwaysAllowed, version, Set.of());
    }

    /** A pairing made now, by this code's pairing generation. */
    public PairedPeer(UUID uuid, byte[] key, String name, Instant pairedAt, Set<String> alwaysAllowed) {
        this(uuid, key, name, pairedAt, alwaysAllowed, PairingCrypto.PAIRING_VERSION);
    }

    /** Whether the key was made by a pairing this version trusts. */
    public boolean trusted() {
        return version >= PairingCrypto.PAIRING_VERSION;
    }

    public PairedPeer {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(key, "key");
        name = name == null ? "" : name;
        alwaysAllowed = Set.copyOf(alwaysAllowed);
        alwaysWithoutControls = Set.copyOf(alwaysWithoutControls);
    }

    public PairedPeer withAlwaysAllowed(String deviceId) {
        return withAlwaysAllowed(deviceId, true);
    }

    /**
     * Lends {@code deviceId} without asking from now on; {@code controls} says whether the peer may also adjust it
     * (the consent dialog's checkbox, remembered with the "always").
     */
    public PairedPeer withAlwaysAllowed(String deviceId, boolean controls) {
        var more = new java.util.HashSet<>(alwaysAllowed);
        more.add(deviceId);
        var without = new java.util.HashSet<>(alwaysWithoutControls);
        if (controls) {
            without.remove(deviceId);
        } else {
            without.add(deviceId);
        }
        return new PairedPeer(uuid, key, name, pairedAt, more, version, without);
    }

    /** Whether an "always" lend of {@code deviceId} lets the peer adjust its controls. */
    public boolean controlsAllowed(String deviceId) {
        return !alwaysWithoutControls.contains(deviceId);
    }
}
