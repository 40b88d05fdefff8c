package org.hopwire.gst.device;

import java.util.List;

import org.hopwire.engine.protocol.ControlMessage;

/**
 * A device this host can lend: a camera, capture card or microphone the device monitor found, or one of the test
 * sources every host has.
 *
 * @param id       stable across hot-plugs and restarts (the device path where there is one)
 * @param kind     {@link ControlMessage.Device#VIDEO} or {@link ControlMessage.Device#AUDIO}
 * @param name     what a person calls it
 * @param test     true for the built-in test sources, which must be labelled as such
 * @param formats  what it can deliver
 */
public record MediaDevice(String id, int kind, String name, boolean test, List<ControlMessage.Format> formats) {
    public MediaDevice {
        formats = List.copyOf(formats);
    }

    public boolean isVideo() {
        return kind == ControlMessage.Device.VIDEO;
    }

    /** The catalog entry the peer sees; test sources say so in their name. */
    public ControlMessage.Device toCatalogEntry() {
        return new ControlMessage.Device(id, kind, name, formats);
    }

    /** One line for people: "Test camera: raw NV12, I420 up to 3840x2160 at 30 fps, ...". */
    public String summary() {
        return name + ": " + FormatSummary.describe(formats);
    }
}
