package org.hopwire.gst.media;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionException;
import org.hopwire.engine.session.SessionHandler.ControlFailed;
import org.hopwire.engine.session.SessionHandler.LendRefused;
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

/**
 * The lending side of a session: when the owner's person has consented, captures the device in the format the link
 * allows, sends its frames, answers key-frame requests, changes format mid-stream on request, and ends the lend with
 * the device's own words when the device fails (busy, pulled out). The session survives all of it.
 *
 * <p>Captures go through the host's {@link SharedCaptures}: a device lent to several peers is opened once, a format
 * they share is encoded once. "Busy" therefore only ever means another program holds the device.
 */
public final class GstLender implements AutoCloseable {
    /** How long a device may take to deliver its first frame. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(5);

    /** A lend in progress, for the app to show: which device, how it is sent and why. */
    public record Lend(int channel, String deviceId, FormatChoice choice) {
    }

    private final DeviceCatalog devices;
    private final LongSupplier linkBytesPerSecond;
    private volatile FormatChooser.Options options;
    private final AtomicReference<PeerSession> session = new AtomicReference<>();
    private final SharedCaptures shared;
    /** Capture cards' lends (protocol 3.2): one capture feeding two channels. */
    private final AvLends cards;
    /** Whether {@link #shared} is this lender's own (closed with it) rather than the host's. */
    private final boolean ownShared;
    /** Ends this lender's hearing of the other lenders' control changes. */
    private final Runnable stopHearingControls;
    private final Map<String, SharedCaptures.Tap> prepared = new ConcurrentHashMap<>();
    private final Map<Integer, SharedCaptures.Tap> active = new ConcurrentHashMap<>();
    private final Map<Integer, String> activeDevice = new ConcurrentHashMap<>();
    private final List<Consumer<MediaProblem>> problemListeners = new CopyOnWriteArrayList<>();
    /** Each capture's listener state (its channel once lent). */
    private final Map<SharedCaptures.Tap, Holder> holders = new ConcurrentHashMap<>();
    /**
     * Format changes a borrower asked for: one at a time, off the session's thread, since a new capture takes a
     * while. The thread ends when idle (the lender outlives sessions, so it is never shut down); the session lets
     * one change per channel wait, which bounds the queue.
     */
    private final java.util.concurrent.ThreadPoolExecutor changes = new java.util.concurrent.ThreadPoolExecutor(0,
            1, 10, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "hopwire-format-change");
                t.setDaemon(true);
                return t;
            });

    /**
     * @param linkBytesPerSecond the link's measured rate, asked at each lend (0 when not known yet)
     */
    public GstLender(DeviceCatalog devices, LongSupplier linkBytesPerSecond, FormatChooser.Options options) {
        this(devices, linkBytesPerSecond, options, new SharedCaptures(), true);
    }

    /**
     * A lender that shares {@code shared} (the host's one instance) with the other peers' lenders.
     *
     * @param linkBytesPerSecond the link's measured rate, asked at each lend (0 when not known yet)
     */
    public GstLender(DeviceCatalog devices, LongSupplier linkBytesPerSecond, FormatChooser.Options options,
                     SharedCaptures shared) {
        this(devices, linkBytesPerSecond, options, shared, false);
    }

    private GstLender(DeviceCatalog devices, LongSupplier linkBytesPerSecond, FormatChooser.Options options,
                      SharedCaptures shared, boolean ownShared) {
        this.devices = devices;
        this.linkBytesPerSecond = linkBytesPerSecond;
        this.options = options;
        this.shared = shared;
        this.ownShared = ownShared;
        this.cards = new AvLends(devices, linkBytesPerSecond, () -> this.options, session,
                p -> problemListeners.forEach(l -> l.accept(p)));
        this.stopHearingControls = shared.onControlChanged(this::otherSetControl);
    }

    /** See {@link org.hopwire.engine.session.SessionHandler#prepareGroupLend}. */
    public org.hopwire.engine.session.SessionHandler.GroupCaps prepareGroupLend(String deviceId,
                                                                               String preferredCaps)
            throws LendRefused {
        return cards.prepare(deviceId, preferredCaps);
    }

    /** See {@link org.hopwire.engine.session.SessionHandler#onGroupLendStarted}. */
    public void onGroupLendStarted(int videoChannel, int audioChannel, String deviceId) {
        cards.started(videoChannel, audioChannel, deviceId);
    }

    /**
     * Another lender of the host set a control of a device on its borrower's request: this lender's borrowers of the
     * device hear the value as one not theirs (CONTROL_STATE status 2, as the owner's own changes).
     */
    private void otherSetControl(String deviceId, String name, long value, Object by) {
        PeerSession s = session.get();
        if (by != this && s != null && activeDevice.containsValue(deviceId)) {
            s.controlChanged(deviceId, name, value);
        }
    }

    /** The session frames go to; set once it is started. */
    public void attach(PeerSession s) {
        session.set(s);
    }

    public void setOptions(FormatChooser.Options o) {
        this.options = o;
    }

    /** Problems of this host's captures (for its own person); the borrower hears of errors through the session. */
    public Runnable onProblem(Consumer<MediaProblem> listener) {
        problemListeners.add(listener);
        return () -> problemListeners.remove(listener);
    }

    /** See {@link org.hopwire.engine.session.SessionHandler#prepareLend}. */
    public String prepareLend(String deviceId, String preferredCaps) throws LendRefused {
        MediaDevice device = devices.find(deviceId).orElseThrow(() -> new LendRefused(ProtocolError.DEVICE_GONE,
                "no device " + deviceId + " on this host now (unplugged?)"));
        if (activeDevice.containsValue(deviceId) || prepared.containsKey(deviceId)) {
            throw new LendRefused(ProtocolError.DEVICE_BUSY, device.name() + " is already lent on this link");
        }
        SourceFactory source = devices.source(deviceId).orElseThrow(() -> new LendRefused(ProtocolError.DEVICE_GONE,
                device.name() + " is gone"));
        FormatChoice choice = FormatChooser.choose(device, linkBytesPerSecond.getAsLong(), preferredCaps, options);
        SharedCaptures.Tap c = startCapture(device, source, choice, 0);
        prepared.put(deviceId, c);
        return c.caps();
    }

    /**
     * Starts a capture for a lend (a tap on the device, shared with the host's other lends of it), or refuses the
     * lend with the reason; package-private for the tests.
     */
    SharedCaptures.Tap startCapture(MediaDevice device, SourceFactory source, FormatChoice choice, long firstSequence)
            throws LendRefused {
        Holder holder = new Holder();
        try {
            SharedCaptures.Tap c = shared.open(device.id(), source, choice, firstSequence,
                    devices.needsBalance(device.id()), START_TIMEOUT, new CaptureListener(holder));
            holder.capture = c;
            holders.put(c, holder);
            restoreControls(device.id(), c);
            return c;
        } catch (GstPipelineException e) {
            // By the error's code, not its text: GStreamer translates its messages to the system's language.
            boolean busy = e.isResourceBusy();
            throw new LendRefused(busy ? ProtocolError.DEVICE_BUSY : ProtocolError.FORMAT_NOT_POSSIBLE,
                    device.name() + (busy ? " is in use by another program: " : " cannot start: ")
                            + e.getMessage());
        } catch (GStreamerUnavailableException e) {
            throw new LendRefused(ProtocolError.INTERNAL, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LendRefused(ProtocolError.INTERNAL, "interrupted while starting " + device.name());
        }
    }

    /** Lets the capture's listener find its capture and channel. */
    private static final class Holder {
        volatile SharedCaptures.Tap capture;
        volatile int channel = -1;
        /** An error the device posted before its lend had a channel (it failed while the lend was being started). */
        volatile MediaProblem failedEarly;
        /** The lend was ended for the device's failure: once, whichever of the two threads sees it first. */
        final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    }

    /**
     * Ends the lend on {@code channel} for its device's failure, once: the problem may come on the bus while the lend
     * is still being started ({@link #onLendStarted} then ends it) or after (the listener does).
     */
    private void deviceFailed(Holder holder, int channel, MediaProblem problem) {
        PeerSession s = session.get();
        if (s != null && active.get(channel) == holder.capture && holder.ended.compareAndSet(false, true)) {
            // The device failed (pulled out, busy, broken): end this lend only, with the device's own words.
            s.endLend(channel, ControlMessage.Stop.DEVICE_GONE, "the device stopped: " + problem.explained());
        }
    }

    private final class CaptureListener implements Capture.Listener {
        private final Holder holder;

        CaptureListener(Holder holder) {
            this.holder = holder;
        }

        @Override
        public void onCaps(String caps) {
            PeerSession s = session.get();
            if (s != null && holder.channel >= 0) {
                try {
                    s.renegotiate(holder.channel, caps);
                } catch (SessionException e) {
                    // the lend ended meanwhile
                }
            }
        }

        @Override
        public void onFrame(MediaFrame frame) {
            PeerSession s = session.get();
            if (s == null || !s.send(frame)) {
                holder.capture.release(frame);
            }
        }

        @Override
        public void onProblem(MediaProblem problem) {
            problemListeners.forEach(l -> l.accept(problem));
            if (problem.severity() != MediaProblem.Severity.ERROR) {
                return;
            }
            // Noted before the channel is read, as onLendStarted sets the channel before it reads this: one of the
            // two sees the other, so an error while the lend starts is never lost (a camera pulled out just then).
            holder.failedEarly = problem;
            int ch = holder.channel;
            if (ch >= 0) {
                deviceFailed(holder, ch, problem);
            }
        }

        @Override
        public void onFormatFailed(MediaProblem problem) {
            problemListeners.forEach(l -> l.accept(problem));
            int ch = holder.channel;
            PeerSession s = session.get();
            SharedCaptures.Tap c = holder.capture;
            if (ch >= 0 && s != null && c != null && active.get(ch) == c) {
                // Only this format's converter or encoder failed: this lend ends, the device goes on for the others.
                String why = problem.message().isBlank() ? "its converter or encoder stopped (" + problem.element()
                        + ")" : problem.message();
                s.endLend(ch, ControlMessage.Stop.FAILED, "sending as " + c.choice().describe() + " failed: " + why);
            }
        }
    }

    /** See {@link org.hopwire.engine.session.SessionHandler#onLendStarted}. */
    public void onLendStarted(int channel, String deviceId) {
        SharedCaptures.Tap c = prepared.remove(deviceId);
        if (c == null) {
            return;
        }
        active.put(channel, c);
        activeDevice.put(channel, deviceId);
        if (bind(holderOf(c), channel)) {
            c.sendTo(channel);
        }
    }

    /**
     * Gives a capture's holder its channel (the capture is active on it already); false when its device failed
     * before, and the lend is ended for it now.
     */
    private boolean bind(Holder holder, int channel) {
        holder.channel = channel;
        MediaProblem early = holder.failedEarly;
        if (early != null) {
            deviceFailed(holder, channel, early); // its capture stopped before the lend (or this format) began
            return false;
        }
        return true;
    }

    private Holder holderOf(SharedCaptures.Tap c) {
        return holders.get(c);
    }

    /** See {@link org.hopwire.engine.session.SessionHandler#onLendEnded}. */
    public void onLendEnded(int channel, int reason) {
        if (cards.ended(channel)) {
            return;
        }
        activeDevice.remove(channel);
        SharedCaptures.Tap c = active.remove(channel);
        if (c != null) {
            holders.remove(c);
            c.close();
        }
    }

    public void onKeyFrameRequested(int channel) {
        SharedCaptures.Tap c = active.get(channel);
        if (c != null) {
            c.requestKeyFrame();
        }
    }

    /** See {@link org.hopwire.engine.session.SessionHandler#onFrameSent}: the frame's memory is free again. */
    public void onFrameSent(MediaFrame frame) {
        if (cards.sent(frame)) {
            return;
        }
        SharedCaptures.Tap c = active.get(frame.channel());
        if (c != null) {
            c.release(frame);
        }
    }

    /**
     * See {@link org.hopwire.engine.session.SessionHandler#onFormatRequested}: the borrower's wish goes through the
     * chooser (it takes the place of this host's preference, within what the device and the link give), on a thread
     * of the lender's own; the stage fails with a {@link LendRefused} saying why when it cannot be done, and the lend
     * goes on as it was.
     */
    public java.util.concurrent.CompletableFuture<Void> onFormatRequested(int channel, String preferredCaps) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        try {
            changes.execute(() -> {
                try {
                    changeFormatTo(channel, preferredCaps);
                    done.complete(null);
                } catch (LendRefused | RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            done.completeExceptionally(new LendRefused(ProtocolError.DEVICE_GONE, "the lend has ended"));
        }
        return done;
    }

    /** Chooses for the borrower's wish and changes to it; nothing happens when that is what is sent already. */
    void changeFormatTo(int channel, String preferredCaps) throws LendRefused {
        if (cards.lends(channel)) {
            throw new LendRefused(ProtocolError.FORMAT_NOT_POSSIBLE, "a capture card keeps its formats while it is"
                    + " lent: its pictures and sound come from one capture");
        }
        String deviceId = activeDevice.get(channel);
        SharedCaptures.Tap now = active.get(channel);
        if (deviceId == null || now == null) {
            throw new LendRefused(ProtocolError.DEVICE_GONE, "channel " + channel + " is not lent now");
        }
        MediaDevice device = devices.find(deviceId).orElseThrow(() -> new LendRefused(ProtocolError.DEVICE_GONE,
                "the device of channel " + channel + " is gone"));
        if (!preferredCaps.isEmpty()) {
            String media = org.hopwire.gst.device.CapsText.parse(preferredCaps).stream().findFirst()
                    .map(org.hopwire.gst.device.CapsText.Structure::mediaType).orElse("");
            boolean known = device.isVideo() ? media.equals("video/x-raw") || media.equals("image/jpeg")
                    || media.equals("video/x-h264") : media.equals("audio/x-raw");
            if (!known) {
                throw new LendRefused(ProtocolError.FORMAT_NOT_POSSIBLE, device.name() + " cannot be sent as '"
                        + media + "': " + (device.isVideo() ? "raw video, MJPEG or H.264 can"
                        : "a microphone is sent as raw audio"));
            }
        }
        long link = linkBytesPerSecond.getAsLong();
        FormatChoice choice = FormatChooser.choose(device, link, preferredCaps, options);
        if (link > 0 && choice.bytesPerSecond() > link) {
            throw new LendRefused(ProtocolError.FORMAT_NOT_POSSIBLE, String.format(java.util.Locale.ROOT,
                    "%s needs about %.0f MB/s but the link gives %.0f MB/s", choice.describe(),
                    choice.bytesPerSecond() / 1e6, link / 1e6));
        }
        if (sameFormat(choice, now.choice())) {
            return;
        }
        changeFormat(channel, choice);
    }

    private static boolean sameFormat(FormatChoice a, FormatChoice b) {
        return a.encoding() == b.encoding() && a.sourceFormat().equals(b.sourceFormat()) && a.width() == b.width()
                && a.height() == b.height() && a.fpsNumerator() == b.fpsNumerator()
                && a.fpsDenominator() == b.fpsDenominator() && a.deviceEncodes() == b.deviceEncodes();
    }

    /**
     * Changes how a lent device is sent, mid-stream: a new capture in the new format takes over the channel; the
     * borrower hears the new caps before the frames in them. When the new format cannot start, the old one is
     * started again and the refusal is thrown (the lend goes on as it was); when neither starts, the lend ends.
     */
    public void changeFormat(int channel, FormatChoice choice) throws LendRefused {
        String deviceId = activeDevice.get(channel);
        SharedCaptures.Tap old = active.get(channel);
        if (deviceId == null || old == null) {
            throw new LendRefused(ProtocolError.DEVICE_GONE, "channel " + channel + " is not lent");
        }
        MediaDevice device = devices.find(deviceId).orElseThrow(() -> new LendRefused(ProtocolError.DEVICE_GONE,
                deviceId + " is gone"));
        SourceFactory source = devices.source(deviceId).orElseThrow();
        // The old tap lets go first: when it was the device's only lend the device closes and opens again in the
        // new format; with other lends of the device it only leaves its branch and the others go on untouched.
        old.close();
        holders.remove(old);
        SharedCaptures.Tap next;
        try {
            next = startCapture(device, source, choice, old.nextSequence());
        } catch (LendRefused refused) {
            try {
                SharedCaptures.Tap back = startCapture(device, source, old.choice(), old.nextSequence());
                active.put(channel, back);
                if (bind(holders.get(back), channel)) {
                    back.sendTo(channel);
                }
            } catch (LendRefused again) {
                active.remove(channel, old);
                PeerSession s = session.get();
                if (s != null) {
                    s.endLend(channel, ControlMessage.Stop.DEVICE_GONE, "the device did not start again after a "
                            + "format change failed: " + again.getMessage());
                }
            }
            throw refused;
        }
        Holder h = holders.get(next);
        active.put(channel, next);
        PeerSession s = session.get();
        if (s != null) {
            try {
                s.renegotiate(channel, next.caps());
            } catch (SessionException e) {
                next.close();
                throw new LendRefused(ProtocolError.INTERNAL, e.getMessage());
            }
        }
        if (bind(h, channel)) {
            next.sendTo(channel);
        }
    }

    /** A new capture of a device (a new lend, a new format) starts with the controls as they were last set. */
    private void restoreControls(String deviceId, SharedCaptures.Tap c) {
        Map<String, Long> set = devices.controlValues(deviceId);
        for (ControlMessage.Control control : devices.controls(deviceId)) {
            Long v = set.get(control.name());
            if (v != null) {
                try {
                    c.applyControl(control, v);
                } catch (RuntimeException e) {
                    // a control this capture cannot set: the catalog said so, the borrower is told when it tries
                }
            }
        }
    }

    /**
     * See {@link org.hopwire.engine.session.SessionHandler#applyControl}: sets a control of a lent device on its
     * running capture and remembers it for the device's next captures and the catalog.
     */
    public long applyControl(int channel, String deviceId, ControlMessage.Control control, long value)
            throws ControlFailed {
        SharedCaptures.Tap c = active.get(channel);
        if (c == null) {
            c = prepared.get(deviceId);
        }
        if (c == null || !deviceId.equals(activeDevice.getOrDefault(channel, deviceId))) {
            throw new ControlFailed("the device is not being captured");
        }
        try {
            long actual = c.applyControl(control, value);
            devices.rememberControl(deviceId, control.name(), actual);
            shared.controlChanged(deviceId, control.name(), actual, this);
            return actual;
        } catch (RuntimeException e) {
            throw new ControlFailed(e.getMessage());
        }
    }

    /**
     * The owner's own change of a device's control (its person, a local command): set on every capture of the device
     * and told to its borrowers. Returns the value in force.
     */
    public long setControl(String deviceId, String name, long value) throws ControlFailed {
        ControlMessage.Control control = devices.controls(deviceId).stream().filter(c -> c.name().equals(name))
                .findFirst().orElseThrow(() -> new ControlFailed(deviceId + " has no control " + name));
        long actual = control.clamp(value);
        for (Map.Entry<Integer, String> e : activeDevice.entrySet()) {
            SharedCaptures.Tap c = active.get(e.getKey());
            if (e.getValue().equals(deviceId) && c != null) {
                try {
                    actual = c.applyControl(control, value);
                } catch (RuntimeException ex) {
                    throw new ControlFailed(ex.getMessage());
                }
            }
        }
        devices.rememberControl(deviceId, name, actual);
        PeerSession s = session.get();
        if (s != null) {
            s.controlChanged(deviceId, name, actual);
        }
        return actual;
    }

    /** See {@link org.hopwire.engine.session.SessionHandler#controlValues}. */
    public Map<String, Long> controlValues(String deviceId) {
        return devices.controlValues(deviceId);
    }

    /** The lends in progress. */
    public List<Lend> lends() {
        List<Lend> out = new java.util.ArrayList<>(active.entrySet().stream().map(e -> new Lend(e.getKey(),
                activeDevice.getOrDefault(e.getKey(), ""), e.getValue().choice())).toList());
        out.addAll(cards.lends());
        return out;
    }

    /** The tap a lent channel's frames come from. */
    public Optional<SharedCaptures.Tap> capture(int channel) {
        return Optional.ofNullable(active.get(channel));
    }

    @Override
    public void close() {
        cards.close();
        stopHearingControls.run();
        prepared.values().forEach(SharedCaptures.Tap::close);
        prepared.clear();
        active.values().forEach(SharedCaptures.Tap::close);
        active.clear();
        activeDevice.clear();
        if (ownShared) {
            shared.close();
        }
    }
}
