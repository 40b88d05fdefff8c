package org.hopwire.gst.media;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionHandler.GroupCaps;
import org.hopwire.engine.session.SessionHandler.LendRefused;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.capture.AvCapture;
import org.hopwire.gst.device.DeviceCatalog;
import org.hopwire.gst.device.MediaDevice;
import org.hopwire.gst.device.SourceFactory;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.format.FormatChooser;

/**
 * The lends of capture cards (devices of pictures and sound together, protocol 3.2) for a {@link GstLender}: one
 * {@link AvCapture} per lend feeds its two channels, which the session starts together; a failure of the card ends
 * the lend (both halves, with the card's words). A card is lent to one borrower at a time on a link.
 */
final class AvLends implements AutoCloseable {
    private final DeviceCatalog devices;
    private final LongSupplier linkBytesPerSecond;
    private final Supplier<FormatChooser.Options> options;
    private final AtomicReference<PeerSession> session;
    private final Consumer<MediaProblem> problems;
    private final Map<String, AvCapture> prepared = new ConcurrentHashMap<>();
    /** Each half's channel to its card's capture. */
    private final Map<Integer, AvCapture> active = new ConcurrentHashMap<>();
    private final Map<AvCapture, String> deviceOf = new ConcurrentHashMap<>();

    AvLends(DeviceCatalog devices, LongSupplier linkBytesPerSecond, Supplier<FormatChooser.Options> options,
            AtomicReference<PeerSession> session, Consumer<MediaProblem> problems) {
        this.devices = devices;
        this.linkBytesPerSecond = linkBytesPerSecond;
        this.options = options;
        this.session = session;
        this.problems = problems;
    }

    /** See {@link org.hopwire.engine.session.SessionHandler#prepareGroupLend}. */
    GroupCaps prepare(String deviceId, String preferredCaps) throws LendRefused {
        MediaDevice card = devices.find(deviceId).orElseThrow(() -> new LendRefused(ProtocolError.DEVICE_GONE,
                "no device " + deviceId + " on this host now (unplugged?)"));
        if (!card.isAudioVideo()) {
            throw new LendRefused(ProtocolError.FORMAT_NOT_POSSIBLE, card.name() + " has no sound to lend with it");
        }
        if (prepared.containsKey(deviceId) || deviceOf.containsValue(deviceId)) {
            throw new LendRefused(ProtocolError.DEVICE_BUSY, card.name() + " is already lent on this link");
        }
        SourceFactory source = devices.source(deviceId).orElseThrow(() -> new LendRefused(
                ProtocolError.DEVICE_GONE, card.name() + " is gone"));
        long link = linkBytesPerSecond.getAsLong();
        FormatChoice audio = FormatChooser.choose(card.part(ControlMessage.Device.AUDIO), link, "", options.get());
        // The pictures get what the link leaves after the sound (a few hundred kB/s).
        long forPictures = link <= 0 ? link : Math.max(1, link - audio.bytesPerSecond());
        String videoWish = preferredCaps.startsWith("audio/") ? "" : preferredCaps;
        FormatChoice video = FormatChooser.choose(card.part(ControlMessage.Device.VIDEO), forPictures, videoWish,
                options.get());
        AvCapture c;
        try {
            c = AvCapture.start("lend-" + deviceId, source, video, audio, GstLender.START_TIMEOUT,
                    new Listener(deviceId));
        } catch (GstPipelineException e) {
            boolean busy = e.isResourceBusy();
            throw new LendRefused(busy ? ProtocolError.DEVICE_BUSY : ProtocolError.FORMAT_NOT_POSSIBLE,
                    card.name() + (busy ? " is in use by another program: " : " cannot start: ") + e.getMessage());
        } catch (GStreamerUnavailableException e) {
            throw new LendRefused(ProtocolError.INTERNAL, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LendRefused(ProtocolError.INTERNAL, "interrupted while starting " + card.name());
        }
        deviceOf.put(c, deviceId);
        prepared.put(deviceId, c);
        return new GroupCaps(c.videoCaps(), c.audioCaps());
    }

    /** See {@link org.hopwire.engine.session.SessionHandler#onGroupLendStarted}: both halves flow from now on. */
    boolean started(int videoChannel, int audioChannel, String deviceId) {
        AvCapture c = prepared.remove(deviceId);
        if (c == null) {
            return false;
        }
        active.put(videoChannel, c);
        active.put(audioChannel, c);
        c.sendTo(videoChannel, audioChannel);
        return true;
    }

    /** True when the channel was a half of a card's lend; the card's capture stops with its first half's end. */
    boolean ended(int channel) {
        AvCapture c = active.remove(channel);
        if (c == null) {
            return false;
        }
        active.remove(c.videoChannel(), c);
        active.remove(c.audioChannel(), c);
        deviceOf.remove(c);
        c.close();
        return true;
    }

    /** True when the frame was a card's: its memory goes back to the card's capture. */
    boolean sent(MediaFrame frame) {
        AvCapture c = active.get(frame.channel());
        if (c == null) {
            return false;
        }
        c.release(frame);
        return true;
    }

    boolean lends(int channel) {
        return active.containsKey(channel);
    }

    /** The halves lent now, as lends of their own (the pictures' and the sound's format). */
    List<GstLender.Lend> lends() {
        List<GstLender.Lend> out = new ArrayList<>();
        for (Map.Entry<Integer, AvCapture> e : active.entrySet()) {
            AvCapture c = e.getValue();
            out.add(new GstLender.Lend(e.getKey(), deviceOf.getOrDefault(c, ""), e.getKey() == c.audioChannel()
                    ? c.audioChoice() : c.videoChoice()));
        }
        return out;
    }

    Optional<AvCapture> capture(int channel) {
        return Optional.ofNullable(active.get(channel));
    }

    private final class Listener implements AvCapture.Listener {
        private final String deviceId;

        Listener(String deviceId) {
            this.deviceId = deviceId;
        }

        @Override
        public void onFrame(boolean audio, MediaFrame frame) {
            PeerSession s = session.get();
            AvCapture c = active.get(frame.channel());
            if (s == null || c == null || !s.send(frame)) {
                AvCapture owner = c != null ? c : prepared.get(deviceId);
                if (owner != null) {
                    owner.release(frame);
                }
            }
        }

        @Override
        public void onProblem(MediaProblem problem) {
            problems.accept(problem);
            PeerSession s = session.get();
            if (problem.severity() != MediaProblem.Severity.ERROR || s == null) {
                return;
            }
            for (Map.Entry<Integer, AvCapture> e : active.entrySet()) {
                if (deviceId.equals(deviceOf.get(e.getValue())) && e.getKey() == e.getValue().videoChannel()) {
                    // Both halves end with the card's own words: the session's STOP of one ends the other.
                    s.endLend(e.getKey(), ControlMessage.Stop.DEVICE_GONE, "the device stopped: "
                            + problem.explained());
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        prepared.values().forEach(AvCapture::close);
        prepared.clear();
        active.values().stream().distinct().forEach(AvCapture::close);
        active.clear();
        deviceOf.clear();
    }
}
