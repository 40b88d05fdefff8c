package org.hopwire.engine.session;

import java.util.UUID;

/**
 * The peer as the person should see it: its UUID (checked against sysfs) and the name it chose (not trusted).
 *
 * @param uuid     the peer host's UUID
 * @param name     the name the peer gives itself
 * @param cableId  its XDomain id on this host, e.g. {@code 0-1}
 */
public record PeerInfo(UUID uuid, String name, String cableId) {
}
