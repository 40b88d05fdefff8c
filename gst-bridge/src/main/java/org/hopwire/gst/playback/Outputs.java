package org.hopwire.gst.playback;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a borrowed device's media goes on this host.
 *
 * @param preview        pictures for the app's preview, latest wins
 * @param virtualWebcam  a v4l2loopback device to publish the camera on, for other programs
 * @param recording      a Matroska file to record into (encoded streams are stored as they arrive, raw video as
 *                       MJPEG)
 * @param speakers       audio to the default audio output
 * @param audioTap       decoded audio handed to {@link Playback#audioTap} (for tests and level meters)
 */
public record Outputs(boolean preview, Optional<Path> virtualWebcam, Optional<Path> recording, boolean speakers,
                      boolean audioTap) {
    public static final Outputs PREVIEW = new Outputs(true, Optional.empty(), Optional.empty(), false, false);
    public static final Outputs SPEAKERS = new Outputs(false, Optional.empty(), Optional.empty(), true, false);

    public Outputs withRecording(Path file) {
        return new Outputs(preview, virtualWebcam, Optional.of(file), speakers, audioTap);
    }

    public Outputs withVirtualWebcam(Path device) {
        return new Outputs(preview, Optional.of(device), recording, speakers, audioTap);
    }

    public Outputs withAudioTap() {
        return new Outputs(preview, virtualWebcam, recording, speakers, true);
    }

    public Outputs withSpeakers(boolean on) {
        return new Outputs(preview, virtualWebcam, recording, on, audioTap);
    }
}
