package org.hopwire.gst.playback;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a borrowed device's media goes on this host.
 *
 * @param preview           pictures for the app's preview, latest wins
 * @param virtualWebcam     a v4l2loopback device to publish the camera on, for other programs
 * @param recording         a Matroska file to record into (encoded streams are stored as they arrive, raw video as
 *                          MJPEG)
 * @param speakers          audio to the default audio output
 * @param audioTap          decoded audio handed to {@link Playback#audioTap} (for tests and level meters)
 * @param virtualMicrophone a microphone's sound published as an input of the sound server (PipeWire or PulseAudio)
 *                          that any program can record from, under this name (e.g. "Test microphone on Demo laptop";
 *                          " (Hopwire)" is added)
 * @param pipewireCamera    a camera's pictures published as a PipeWire Video/Source node (the camera portal, OBS),
 *                          under this name
 */
public record Outputs(boolean preview, Optional<Path> virtualWebcam, Optional<Path> recording, boolean speakers,
                      boolean audioTap, Optional<String> virtualMicrophone, Optional<String> pipewireCamera) {
    public static final Outputs PREVIEW = new Outputs(true, Optional.empty(), Optional.empty(), false, false);
    public static final Outputs SPEAKERS = new Outputs(false, Optional.empty(), Optional.empty(), true, false);

    /** The outputs without the sound server's virtual microphone and PipeWire camera. */
    public Outputs(boolean preview, Optional<Path> virtualWebcam, Optional<Path> recording, boolean speakers,
                   boolean audioTap) {
        this(preview, virtualWebcam, recording, speakers, audioTap, Optional.empty(), Optional.empty());
    }

    public Outputs withRecording(Path file) {
        return new Outputs(preview, virtualWebcam, Optional.of(file), speakers, audioTap, virtualMicrophone,
                pipewireCamera);
    }

    public Outputs withVirtualWebcam(Path device) {
        return new Outputs(preview, Optional.of(device), recording, speakers, audioTap, virtualMicrophone,
                pipewireCamera);
    }

    public Outputs withAudioTap() {
        return new Outputs(preview, virtualWebcam, recording, speakers, true, virtualMicrophone, pipewireCamera);
    }

    public Outputs withSpeakers(boolean on) {
        return new Outputs(preview, virtualWebcam, recording, on, audioTap, virtualMicrophone, pipewireCamera);
    }

    /** Publishes a microphone as a virtual microphone named {@code name} (the device and the peer). */
    public Outputs withVirtualMicrophone(String name) {
        return new Outputs(preview, virtualWebcam, recording, speakers, audioTap, Optional.of(name), pipewireCamera);
    }

    /** Publishes a camera as a PipeWire camera named {@code name} (the device and the peer). */
    public Outputs withPipeWireCamera(String name) {
        return new Outputs(preview, virtualWebcam, recording, speakers, audioTap, virtualMicrophone,
                Optional.of(name));
    }
}
