package org.hopwire.app.ui.fabric;

import org.hopwire.app.text.Text;
import org.hopwire.engine.fabric.StreamInfo;

/**
 * One configured stream, as the window shows it.
 *
 * @param service   the service group, e.g. {@code 0-1.0}
 * @param name      the stream name
 * @param device    {@code /dev/tbstreamN}
 * @param hopIds    {@code in / out}
 * @param ring      ring size in frames
 * @param state     attached or waiting for the peer, and whether it is open
 */
public record StreamRow(String service, String name, String device, String hopIds, int ring, String state) {
    static StreamRow of(StreamInfo s) {
        String state = Text.tr(s.attached() ? (s.open() ? "fabric.state.attached.open" : "fabric.state.attached")
                : (s.open() ? "fabric.state.waiting.open" : "fabric.state.waiting"));
        return new StreamRow(s.address().service(), s.address().name(), "/dev/" + s.deviceName(),
                s.inHopId() + " / " + s.outHopId(), s.ringSize(), state);
    }
}
