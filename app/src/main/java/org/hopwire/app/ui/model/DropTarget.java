package org.hopwire.app.ui.model;

import java.util.Optional;
import java.util.UUID;

/** Where a dragged device can land: a peer's card (to lend it there) or this host (to borrow it here). */
public record DropTarget(Optional<UUID> peer) {
    public static final DropTarget THIS_HOST = new DropTarget(Optional.empty());

    public static DropTarget peer(UUID uuid) {
        return new DropTarget(Optional.of(uuid));
    }

    public boolean isThisHost() {
        return peer.isEmpty();
    }
}
