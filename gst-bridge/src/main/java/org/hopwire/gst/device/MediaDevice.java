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

    /** Pictures and sound together (a capture card): lent as one borrow of two channels (protocol 3.2). */
    public boolean isAudioVideo() {
        return kind == ControlMessage.Device.AUDIO_VIDEO;
    }

    /**
     * One kind's part of a device of both kinds, as a device of that kind with that kind's formats (what the format
     * chooser works on); a device of one kind is its own part.
     */
    public MediaDevice part(int partKind) {
        if (!isAudioVideo()) {
            return this;
        }
        boolean audio = partKind == ControlMessage.Device.AUDIO;
        return new MediaDevice(id, partKind, name, test, formats.stream()
                .filter(f -> f.mediaType().startsWith("audio/") == audio).toList());
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
