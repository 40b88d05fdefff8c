package org.hopwire.gst.media;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.capture.Capture;
import org.hopwire.gst.capture.SharedCaptures;
import org.hopwire.gst.device.DeviceCatalog;
import org.hopwire.gst.device.MediaDevice;
import org.hopwire.gst.device.SourceFactory;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.format.FormatChooser;
import org.hopwire.gst.format.FormatPolicy;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;

/**
 * A look at one of this host's cameras: raw and at most 1280x720, played straight into a preview, with no session in
 * between. It is a tap on the host's {@link SharedCaptures}, as every lend is: a camera lent now is not opened a second
 * time (a real one would refuse, busy) but gets a branch for the preview, and a camera previewed now is lent from the
 * same opening. The device runs at the format of whoever opened it first (see {@link SharedCaptures}).
 */
public final class LocalPreview implements AutoCloseable {
    /** The size asked of the camera: enough for a preview window. */
    static final String PREVIEW_CAPS = "video/x-raw,width=1280,height=720";

    private final SharedCaptures.Tap tap;
    private final Playback playback;
    /** The sharing layer this preview made for itself (closed with it), or null when it is the host's. */
    private final SharedCaptures own;

    private LocalPreview(SharedCaptures.Tap tap, Playback playback, SharedCaptures own) {
        this.tap = tap;
        this.playback = playback;
        this.own = own;
    }

    /**
     * Starts previewing {@code deviceId} on a device opening of its own (no lends share it).
     *
     * @throws GstPipelineException when the device is not there, is not a camera, or cannot start (busy, broken)
     */
    public static LocalPreview start(DeviceCatalog devices, String deviceId)
            throws GstPipelineException, GStreamerUnavailableException, InterruptedException {
        SharedCaptures own = new SharedCaptures();
        try {
            return start(devices, own, deviceId, own);
        } catch (GstPipelineException | GStreamerUnavailableException | InterruptedException | RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /**
     * Starts previewing {@code deviceId} as a tap on {@code shared}, the host's captures that its lenders share.
     *
     * @throws GstPipelineException when the device is not there, is not a camera, or cannot start (busy, broken)
     */
    public static LocalPreview start(DeviceCatalog devices, SharedCaptures shared, String deviceId)
            throws GstPipelineException, GStreamerUnavailableException, InterruptedException {
        return start(devices, shared, deviceId, null);
    }

    private static LocalPreview start(DeviceCatalog devices, SharedCaptures shared, String deviceId,
                                      SharedCaptures own)
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
        AtomicReference<SharedCaptures.Tap> tapRef = new AtomicReference<>();
        AtomicReference<Playback> playbackRef = new AtomicReference<>();
        // A tap hands frames on only after sendTo, below: by then both references are set.
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
                tapRef.get().release(frame);
            }

            @Override
            public void onProblem(MediaProblem problem) {
            }
        };
        // With the device's balance, as a lend opens it, so a lend joining later can still be adjusted.
        SharedCaptures.Tap t = shared.open(deviceId, source, choice, 0, devices.needsBalance(deviceId),
                Duration.ofSeconds(5), listener);
        Playback p;
        try {
            restoreControls(devices, deviceId, t);
            p = Playback.start("preview-" + deviceId, t.caps(), Outputs.PREVIEW, new Playback.Listener() { });
        } catch (GstPipelineException | GStreamerUnavailableException | RuntimeException e) {
            t.close();
            throw e;
        }
        playbackRef.set(p);
        tapRef.set(t);
        t.sendTo(0); // a tap hands frames on only once told where they go; channel 0 stays on this host
        return new LocalPreview(t, p, own);
    }

    /** The device as its owner set it: a device this preview opens starts with the controls last set. */
    private static void restoreControls(DeviceCatalog devices, String deviceId, SharedCaptures.Tap t) {
        java.util.Map<String, Long> set = devices.controlValues(deviceId);
        for (org.hopwire.engine.protocol.ControlMessage.Control control : devices.controls(deviceId)) {
            Long v = set.get(control.name());
            if (v != null) {
                try {
                    t.applyControl(control, v);
                } catch (RuntimeException e) {
                    // a control this opening cannot set (a device opened without balance): the picture is as it is
                }
            }
        }
    }

    /** The playback whose preview slot holds the pictures. */
    public Optional<Playback> playback() {
        return Optional.of(playback);
    }

    /** What the camera delivers, for the overlay. */
    public FormatChoice choice() {
        return tap.choice();
    }

    @Override
    public void close() {
        tap.close();
        playback.close();
        if (own != null) {
            own.close();
        }
    }
}
