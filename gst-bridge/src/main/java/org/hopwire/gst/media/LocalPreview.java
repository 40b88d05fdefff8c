package org.hopwire.gst.media;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.capture.Capture;
import org.hopwire.gst.device.DeviceCatalog;
import org.hopwire.gst.device.MediaDevice;
import org.hopwire.gst.device.SourceFactory;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.format.FormatChooser;
import org.hopwire.gst.format.FormatPolicy;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;

/**
 * A look at one of this host's cameras: the same capture a lend uses, raw and at most 1280x720, played straight into
 * a preview, with no session in between. A camera that is lent may refuse a second opening (busy); the error says so.
 */
public final class LocalPreview implements AutoCloseable {
    /** The size asked of the camera: enough for a preview window. */
    static final String PREVIEW_CAPS = "video/x-raw,width=1280,height=720";

    private final Capture capture;
    private final Playback playback;

    private LocalPreview(Capture capture, Playback playback) {
        this.capture = capture;
        this.playback = playback;
    }

    /**
     * Starts previewing {@code deviceId}.
     *
     * @throws GstPipelineException when the device is not there, is not a camera, or cannot start (busy, broken)
     */
    public static LocalPreview start(DeviceCatalog devices, String deviceId)
            throws GstPipelineException, GStreamerUnavailableException, InterruptedException {
        MediaDevice device = devices.find(deviceId).orElseThrow(() -> new GstPipelineException("src",
                "no device " + deviceId + " on this host now (unplugged?)", ""));
        if (!device.isVideo()) {
            throw new GstPipelineException("src", device.name() + " is not a camera: only video has a preview", "");
        }
        SourceFactory source = devices.source(deviceId).orElseThrow(() -> new GstPipelineException("src",
                device.name() + " is gone", ""));
        // No link in between: raw, whatever the person chose for lending.
        FormatChoice choice = FormatChooser.choose(device, Long.MAX_VALUE, PREVIEW_CAPS,
                new FormatChooser.Options(FormatPolicy.RAW, true, true));
        AtomicReference<Capture> captureRef = new AtomicReference<>();
        AtomicReference<Playback> playbackRef = new AtomicReference<>();
        // A capture hands frames on only after sendTo, below: by then both references are set.
        Capture.Listener listener = new Capture.Listener() {
            @Override
            public void onCaps(String caps) {
                Playback p = playbackRef.get();
                if (p != null) {
                    try {
                        p.changeCaps(caps);
                    } catch (GstPipelineException | GStreamerUnavailableException e) {
                        // The preview stops on its own; the capture's own errors are reported through onProblem.
                    }
                }
            }

            @Override
            public void onFrame(MediaFrame frame) {
                playbackRef.get().push(frame); // copied into GStreamer's buffer: the frame may go back at once
                captureRef.get().release(frame);
            }

            @Override
            public void onProblem(MediaProblem problem) {
            }
        };
        Capture c = Capture.start("preview-" + deviceId, source, choice, 0, Duration.ofSeconds(5), listener);
        Playback p;
        try {
            p = Playback.start("preview-" + deviceId, c.caps(), Outputs.PREVIEW, new Playback.Listener() { });
        } catch (GstPipelineException | GStreamerUnavailableException e) {
            c.close();
            throw e;
        }
        playbackRef.set(p);
        captureRef.set(c);
        c.sendTo(0); // a capture hands frames on only once told where they go; channel 0 stays on this host
        return new LocalPreview(c, p);
    }

    /** The playback whose preview slot holds the pictures. */
    public Optional<Playback> playback() {
        return Optional.of(playback);
    }

    /** What the camera delivers, for the overlay. */
    public FormatChoice choice() {
        return capture.choice();
    }

    @Override
    public void close() {
        capture.close();
        playback.close();
    }
}
