package org.hopwire.app.ui.fabric;

import org.hopwire.app.text.Text;
import org.hopwire.engine.fabric.PeerHost;

/**
 * One host on the cable, as the window shows it.
 *
 * @param name       the name the peer gives itself (not a trusted identity)
 * @param id         its XDomain id, e.g. {@code 0-1}
 * @param shortUuid  the first 8 characters of its host UUID
 * @param link       link speed and lanes, e.g. {@code 2 x 20 Gb/s}
 * @param streams    whether it offers USB4STREAM
 */
public record HostRow(String name, String id, String shortUuid, String link, String streams) {
    static HostRow of(PeerHost p) {
        String name = p.deviceName().isEmpty() ? Text.tr("fabric.host.unnamed") : p.deviceName();
        String link = Text.tr("link.speed", p.rxLanes(), p.rxSpeedGbps());
        return new HostRow(name, p.id(), p.uuid().toString().substring(0, 8), link,
                p.streamService().map(s -> Text.tr("fabric.service.yes", s.name()))
                        .orElse(Text.tr("fabric.service.no")));
    }
}
