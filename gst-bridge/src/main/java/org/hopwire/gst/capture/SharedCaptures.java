package org.hopwire.gst.capture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.device.SourceFactory;
import org.hopwire.gst.format.FormatChoice;

/**
 * This host's captures, shared by every lend of a device whichever peer it goes to: each device is opened once (a
 * {@link DeviceTap}), each distinct format (encoding, size, rate, raw format, bitrate) is one branch encoded once, and
 * that branch's frames go to every lend of that format, each with its own channel and sequence numbers. One instance
 * per host, handed to every peer's lender.
 *
 * <p>The rule for formats: the device runs at the format of the lend that opened it. A lend asking a format no other
 * lend of the device has gets a new branch, converted (decoded, scaled, rate-changed, encoded) from what the device
 * runs at; the device is never restarted under its other borrowers. When a device's only lend changes format, the
 * device is closed and opened again at the new one (the lender closes its tap before opening the next). The last lend
 * of a branch takes the branch off; the last lend of the device closes it.
 *
 * <p>A frame of a branch with one lend is handed on as the branch made it; with several, each lend gets a frame of
 * its own over the same bytes, and the bytes go back to the branch once every lend has sent (or dropped) its frame.
 */
public final class SharedCaptures implements AutoCloseable {
    /** One device's taps: its pipeline and its branches by format. */
    private final Map<String, Device> devices = new HashMap<>();

    /** Told when a lend changed a control of a device: every other lend of it must tell its borrower. */
    public interface ControlListener {
        /** The value {@code value} of control {@code name} of {@code deviceId} is in force, set by {@code by}. */
        void controlChanged(String deviceId, String name, long value, Object by);
    }

    private final List<ControlListener> controlListeners = new CopyOnWriteArrayList<>();

    /** Hears every control change made through this host's lends; returns what removes the listener. */
    public Runnable onControlChanged(ControlListener l) {
        controlListeners.add(l);
        return () -> controlListeners.remove(l);
    }

    /**
     * Says that {@code by} (a lender, on its borrower's request) set a control of a device shared by this host's
     * lends: every listener hears it, {@code by} included (it skips its own).
     */
    public void controlChanged(String deviceId, String name, long value, Object by) {
        for (ControlListener l : controlListeners) {
            l.controlChanged(deviceId, name, value, by);
        }
    }

    /** What the sharing layer runs now, for tests and status: one entry per opened device. */
    public record DeviceUse(String deviceId, String pipeline, List<BranchUse> branches) {
    }

    /** One format of a device: what is sent and to how many lends. */
    public record BranchUse(FormatChoice choice, int lends, long framesCaptured) {
    }

    /**
     * A lend's tap on a device: the frames of its format, numbered for its channel from {@code firstSequence}. Its
     * listener hears the caps, the frames (each given back with {@link #release}) and the device's problems.
     *
     * @param balance whether a raw video device gets a balance element for its colour controls (when the device is
     *                opened by this tap; a device already open keeps what it has)
     * @throws GstPipelineException when the device or the branch fails to start (busy, gone, format refused)
     */
    public Tap open(String deviceId, SourceFactory source, FormatChoice choice, long firstSequence, boolean balance,
                    Duration startTimeout, Capture.Listener listener)
            throws GstPipelineException, GStreamerUnavailableException, InterruptedException {
        // Never a device's lock inside the map's: a device that closes (its last lend ended, on a GStreamer thread)
        // takes its own lock and then the map's to leave it, and the other order deadlocked a lend starting on the
        // control reader with a device failing at that moment (the unplug storm test).
        while (true) {
            Device seen;
            synchronized (devices) {
                seen = devices.get(deviceId);
            }
            if (seen != null && !seen.gone()) {
                return seen.open(source, choice, firstSequence, balance, startTimeout, listener);
            }
            Device fresh = null;
            synchronized (devices) {
                if (devices.get(deviceId) == seen) { // still what was judged gone (or absent): replace it
                    fresh = new Device(deviceId);
                    devices.put(deviceId, fresh);
                }
            }
            if (fresh != null) {
                return fresh.open(source, choice, firstSequence, balance, startTimeout, listener);
            }
            // Another lend put a device there meanwhile: look again.
        }
    }

    /** The devices open now with their branches. */
    public List<DeviceUse> uses() {
        List<Device> open;
        synchronized (devices) {
            open = new ArrayList<>(devices.values());
        }
        List<DeviceUse> out = new ArrayList<>();
        for (Device d : open) {
            DeviceUse u = d.use();
            if (u != null) {
                out.add(u);
            }
        }
        return out;
    }

    /** Closes every device still open (the host is going away). */
    @Override
    public void close() {
        List<Device> open;
        synchronized (devices) {
            open = new ArrayList<>(devices.values());
            devices.clear();
        }
        open.forEach(Device::closeAll);
    }

    private void forget(Device d) {
        synchronized (devices) {
            devices.remove(d.id, d);
        }
    }

    /** The identity of a format: two lends with equal keys share a branch. */
    private record FormatKey(FormatChoice.Encoding encoding, String sourceFormat, int width, int height, int fpsN,
                             int fpsD, boolean deviceEncodes, int bitrateKbps) {
        static FormatKey of(FormatChoice c) {
            return new FormatKey(c.encoding(), c.sourceFormat(), c.width(), c.height(), c.fpsNumerator(),
                    c.fpsDenominator(), c.deviceEncodes(), c.bitrateKbps());
        }
    }

    private final class Device {
        final String id;
        final Map<FormatKey, Branch> branches = new HashMap<>();
        DeviceTap tap;
        boolean closed;

        Device(String id) {
            this.id = id;
        }

        synchronized boolean gone() {
            return closed || (tap != null && tap.failed());
        }

        synchronized Tap open(SourceFactory source, FormatChoice choice, long firstSequence, boolean balance,
                              Duration startTimeout, Capture.Listener listener)
                throws GstPipelineException, GStreamerUnavailableException, InterruptedException {
            if (closed) {
                // Closed between the look-up and here: a fresh device, as a lend after the last one would get.
                return SharedCaptures.this.open(id, source, choice, firstSequence, balance, startTimeout, listener);
            }
            if (tap == null) {
                try {
                    tap = DeviceTap.open("lend-" + id, source, choice, balance);
                } catch (GstPipelineException | GStreamerUnavailableException | RuntimeException e) {
                    closeDevice();
                    throw e;
                }
            }
            FormatKey key = FormatKey.of(tap.effective(choice));
            Branch b = branches.get(key);
            if (b != null && b.failed) {
                b = null; // a failed branch waits for its lends to end; a new lend of its format gets a fresh one
            }
            boolean joined = b != null;
            if (b == null) {
                b = new Branch(this, key);
                try {
                    b.capture = tap.addBranch(choice, startTimeout, b);
                } catch (GstPipelineException | InterruptedException | RuntimeException e) {
                    if (branches.isEmpty()) {
                        closeDevice();
                    }
                    throw e;
                }
                b.capture.sendTo(0); // the branch's frames go to its lends, renumbered for each
                branches.put(key, b);
            }
            Tap t = new Tap(b, listener, firstSequence);
            b.taps.add(t);
            if (joined) {
                // An H.264 borrower joining a running encoder needs a key frame to start from.
                b.capture.requestKeyFrame();
            }
            return t;
        }

        synchronized void leave(Tap t) {
            Branch b = t.branch;
            if (!b.taps.remove(t)) {
                return;
            }
            if (b.taps.isEmpty()) {
                branches.remove(b.key, b);
                b.capture.close(); // takes the branch off the device, or closes it when it was the last
                if (branches.isEmpty()) {
                    closeDevice();
                }
            }
        }

        private void closeDevice() {
            closed = true;
            if (tap != null) {
                tap.close();
            }
            forget(this);
        }

        synchronized void closeAll() {
            branches.clear();
            closeDevice();
        }

        synchronized DeviceUse use() {
            if (closed || tap == null) {
                return null;
            }
            List<BranchUse> out = new ArrayList<>();
            for (Branch b : branches.values()) {
                out.add(new BranchUse(b.capture.choice(), b.taps.size(), b.capture.framesCaptured()));
            }
            return new DeviceUse(id, tap.name(), out);
        }
    }

    /** One format of a device: its capture, and the lends its frames go to. */
    private static final class Branch implements Capture.Listener {
        final Device device;
        final FormatKey key;
        final List<Tap> taps = new CopyOnWriteArrayList<>();
        /** Frames handed to several lends over one payload, until each is given back. */
        final Map<MediaFrame, Shared> outstanding = new ConcurrentHashMap<>();
        volatile Capture capture;
        volatile String caps;
        /** Its converter or encoder failed: its lends are ending, no new lend joins it. */
        volatile boolean failed;

        Branch(Device device, FormatKey key) {
            this.device = device;
            this.key = key;
        }

        String caps() {
            String c = caps;
            return c != null ? c : capture.caps();
        }

        @Override
        public void onCaps(String newCaps) {
            caps = newCaps;
            for (Tap t : taps) {
                if (t.channel >= 0) {
                    t.listener.onCaps(newCaps);
                }
            }
        }

        @Override
        public void onFrame(MediaFrame frame) {
            int sending = 0;
            Tap only = null;
            for (Tap t : taps) {
                if (t.channel >= 0) {
                    sending++;
                    only = t;
                }
            }
            if (sending == 0) {
                capture.release(frame);
            } else if (sending == 1) {
                // The common case: the branch's own frame, renumbered for its one lend.
                frame.reuse(only.channel, only.sequence++, frame.pts(), frame.dts(), frame.duration(),
                        frame.bufferFlags(), frame.payload());
                only.listener.onFrame(frame);
            } else {
                Shared shared = new Shared(frame, sending);
                for (Tap t : taps) {
                    int ch = t.channel;
                    if (ch < 0 || shared.handed == sending) {
                        continue; // a lend that started meanwhile gets the next frame
                    }
                    shared.handed++;
                    MediaFrame own = new MediaFrame(ch, t.sequence++, frame.pts(), frame.dts(), frame.duration(),
                            frame.bufferFlags(), frame.payload().duplicate());
                    outstanding.put(own, shared);
                    t.listener.onFrame(own);
                }
                // Lends that stopped meanwhile are not waited for.
                for (int i = shared.handed; i < sending; i++) {
                    shared.release(capture);
                }
            }
        }

        void release(MediaFrame frame) {
            Shared shared = outstanding.remove(frame);
            if (shared == null) {
                capture.release(frame);
            } else {
                shared.release(capture);
            }
        }

        @Override
        public void onProblem(MediaProblem problem) {
            for (Tap t : taps) {
                t.listener.onProblem(problem);
            }
        }

        @Override
        public void onFormatFailed(MediaProblem problem) {
            failed = true;
            for (Tap t : taps) {
                t.listener.onFormatFailed(problem);
            }
        }
    }

    /** A branch's frame lent to several lends at once: its payload goes back when the last gives its copy back. */
    private static final class Shared {
        final MediaFrame original;
        final AtomicInteger refs;
        int handed;

        Shared(MediaFrame original, int refs) {
            this.original = original;
            this.refs = new AtomicInteger(refs);
        }

        void release(Capture capture) {
            if (refs.decrementAndGet() == 0) {
                capture.release(original);
            }
        }
    }

    /** One lend's share of a device: the frames of its format for its channel. */
    public static final class Tap implements AutoCloseable {
        private final Branch branch;
        private final Capture.Listener listener;
        private volatile int channel = -1;
        private volatile long sequence;
        private volatile boolean closed;

        private Tap(Branch branch, Capture.Listener listener, long firstSequence) {
            this.branch = branch;
            this.listener = listener;
            this.sequence = firstSequence;
        }

        /** The caps of this tap's frames now. */
        public String caps() {
            return branch.caps();
        }

        /** What the branch sends (a device's own JPEG may be re-encoded here when the device runs otherwise). */
        public FormatChoice choice() {
            return branch.capture.choice();
        }

        /** Frames go to the listener from now on, numbered for this channel; before this they are not given. */
        public void sendTo(int channel) {
            if (closed) {
                return;
            }
            this.channel = channel;
            branch.capture.requestKeyFrame();
        }

        /** Gives a frame this tap handed on back. */
        public void release(MediaFrame frame) {
            branch.release(frame);
        }

        /**
         * Test seam: makes this tap's branch fail on its next picture as a converter refusing the device's pictures
         * would; the device and its other branches run on.
         */
        public void failBranchForTest() {
            branch.capture.breakBranch();
        }

        /** Asks the branch's encoder for a key frame (H.264): every lend of the format gets it. */
        public void requestKeyFrame() {
            branch.capture.requestKeyFrame();
        }

        /** Sets a control of the device: every lend of the device sees it. See {@link Capture#applyControl}. */
        public long applyControl(ControlMessage.Control control, long value) {
            return branch.capture.applyControl(control, value);
        }

        public boolean hasBalance() {
            return branch.capture.hasBalance();
        }

        /** The next frame's sequence number: a tap that replaces this one continues from here. */
        public long nextSequence() {
            return sequence;
        }

        /** Frames the branch has captured (all of its lends together). */
        public long framesCaptured() {
            return branch.capture.framesCaptured();
        }

        public long baseTimeNs() {
            return branch.capture.baseTimeNs();
        }

        /** The element factories of the device's pipeline (all of its branches), for tests and the bench. */
        public java.util.List<String> elementKinds() {
            return branch.capture.elementKinds();
        }

        /** Ends this lend's share: its branch goes when it was the last of it, the device with its last branch. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            channel = -1;
            branch.device.leave(this);
        }
    }
}
