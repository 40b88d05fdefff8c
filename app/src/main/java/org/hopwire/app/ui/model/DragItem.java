package org.hopwire.app.ui.model;

import java.util.Optional;
import java.util.UUID;

/**
 * What a person drags: one of this host's devices ({@code owner} empty) or one a peer offers.
 *
 * @param owner      the peer that owns the device, empty for this host's
 * @param deviceId   the device's id on its owner
 * @param deviceName its name, for the words shown while dragging
 */
public record DragItem(Optional<UUID> owner, String deviceId, String deviceName) {
    public static DragItem local(String deviceId, String deviceName) {
        return new DragItem(Optional.empty(), deviceId, deviceName);
    }

    public static DragItem ofPeer(UUID peer, String deviceId, String deviceName) {
        return new DragItem(Optional.of(peer), deviceId, deviceName);
    }

    public boolean isLocal() {
        return owner.isEmpty();
    }
}
