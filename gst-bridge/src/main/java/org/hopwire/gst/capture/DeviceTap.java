package org.hopwire.gst.capture;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstException;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.freedesktop.gstreamer.PadLinkException;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.PipelineHost;
import org.hopwire.gst.device.Balance;
import org.hopwire.gst.device.SourceFactory;
import org.hopwire.gst.format.FormatChoice;

/**
 * One device opened once, for every format it is sent in: {@code source ! [videobalance] ! capsfilter ! tee}, and per
 * format a branch {@code [queue] ! [converters] ! format stage ! appsink} hung on a request pad of the tee, each
 * branch a {@link Capture} of its own (its own encoder, appsink and frames).
 *
 * <p>The device runs in the format of the branch that opened it (its size, rate and raw format or its own JPEG). A
 * later branch that needs something else is converted from what the device runs at: decoded (a device's JPEG to raw),
 * converted, scaled and rate-changed, then encoded; it never restarts the device under the other branches. Only the
 * first branch sees the device's pictures untouched. While the device has two or more branches each has its own
 * queue (its own thread), so a slow encoder drops its own pictures, not its neighbours'. A device with one branch
 * (the usual case: one borrower) has none: the device's thread converts, encodes and hands the frame on itself, as
 * the kernel documentation's recipe does. A queue costs a thread hand-off per picture, and on a busy machine that
 * hand-off was most of what Hopwire added over the recipe (the MJPEG branch's capture to appsink: p99 13 to 15 ms
 * with it, 8.6 ms without). The second branch gets a queue, and one is put in front of the first between two
 * pictures. A branch is added and taken off while the device runs; the last one going closes the device.
 *
 * <p>Errors are told by where they come from. One from inside a branch's bin (a converter refusing the device's
 * pictures, an encoder failing, a branch that cannot start) ends that branch only: the moment it is posted, the tee
 * stops giving the branch pictures (so the failed branch's error never flows back into the tee and the source), and
 * the branch's capture hears {@link Capture.Listener#onFormatFailed}. One from the device's own part (source, balance,
 * caps filter, tee: a device pulled out, a device that fails) goes to every branch: they all stop together, except
 * branches already cut off for their own error (a branch without a queue passes its error flow up to the device,
 * which stops on it: that branch has heard its own error, and there was no other branch).
 * Controls (the balance element, a {@code v4l2src}'s own) act on the device, so every branch sees them.
 */
final class DeviceTap implements AutoCloseable {
    /** A branch's own queue, once the device has two: two pictures wait at most, older ones are dropped. */
    private static final int BRANCH_QUEUE_BUFFERS = 2;
    /** The end of the name of a branch's queue, which sits beside its bin: "branch0-queue". */
    private static final String QUEUE = "-queue";
    /** How long taking a branch off waits for the tee to be between two pictures. */
    private static final long DETACH_WAIT_MS = 2000;
    /** The start of each branch bin's name; the device's own elements are named otherwise (src, running, tee). */
    private static final String BRANCH = "branch";

    private final String name;
    private final PipelineHost host;
    private final Element source;
    private final Element balance;
    private final Element tee;
    /** The caps the device runs at (null for audio: every audio branch is the same format). */
    private final String runningCaps;
    private final List<Capture> branches = new CopyOnWriteArrayList<>();
    /** Each branch's own parts, by its bin's name ("branch0", ...): where its errors are told and stopped. */
    private final Map<String, Part> parts = new ConcurrentHashMap<>();
    private final boolean queueEveryBranch = Boolean.getBoolean(Capture.QUEUE_EVERY_BRANCH);
    private int nextBranch;
    private boolean playing;
    private volatile boolean failed;
    private boolean closed;

    private DeviceTap(String name, Pipeline pipeline, Element source, Element balance, Element tee,
                      String runningCaps) {
        this.name = name;
        this.source = source;
        this.balance = balance;
        this.tee = tee;
        this.runningCaps = runningCaps;
        this.host = new PipelineHost(name, pipeline, new PipelineHost.RoutedProblems() {
            @Override
            public void posted(MediaProblem problem, List<String> path) {
                Part part = partOf(path);
                if (part != null && problem.severity() == MediaProblem.Severity.ERROR) {
                    part.cutOff();
                }
            }

            @Override
            public void dispatched(MediaProblem problem, List<String> path) {
                route(problem, path);
            }
        });
    }

    /** A branch's bin, the tee pad feeding it, and its queue in between once it has one. */
    private static final class Part {
        final Capture capture;
        final Bin bin;
        final Pad teePad;
        /** The branch's queue, between the tee pad and the bin; null while the device has had one branch only. */
        volatile Element queue;
        private final AtomicBoolean cut = new AtomicBoolean();
        /** Kept referenced while installed: gst1-java-core calls it from the tee's streaming thread. */
        private final Pad.PROBE dropAll = (pad, info) -> PadProbeReturn.DROP;

        Part(Capture capture, Bin bin, Pad teePad) {
            this.capture = capture;
            this.bin = bin;
            this.teePad = teePad;
        }

        /**
         * The tee gives this branch no more pictures (each is dropped as if pushed): a failed branch's queue answers
         * every push with its error, and the tee would pass that error up to the source, stopping the device.
         */
        void cutOff() {
            if (cut.compareAndSet(false, true)) {
                teePad.addProbe(EnumSet.of(PadProbeType.BUFFER, PadProbeType.BUFFER_LIST), dropAll);
            }
        }
    }

    /**
     * The branch a problem's source is in, by its path's second name (the pipeline's child: the branch's bin or its
     * queue); null for the device.
     */
    private Part partOf(List<String> path) {
        if (path.size() < 2) {
            return null;
        }
        String child = path.get(1);
        return parts.get(child.endsWith(QUEUE) ? child.substring(0, child.length() - QUEUE.length()) : child);
    }

    private void route(MediaProblem p, List<String> path) {
        Part part = partOf(path);
        if (part != null) {
            part.capture.formatProblem(p);
        } else if (path.size() > 1 && path.get(1).startsWith(BRANCH)) {
            // From a branch already taken off (its parts are gone): nobody is left to tell.
        } else {
            problem(p);
        }
    }

    /**
     * Opens the device for the format {@code first} (the device will run at it); nothing flows until the first
     * {@link #addBranch}.
     *
     * @throws GstPipelineException when the device cannot be opened
     */
    static DeviceTap open(String name, SourceFactory source, FormatChoice first, boolean withBalance)
            throws GstPipelineException, GStreamerUnavailableException {
        GstRuntime.init();
        Pipeline pipeline = new Pipeline(name);
        Element src = CapturePipelines.openSource(pipeline, source);
        String caps = runningCaps(first);
        Element bal = withBalance && CapturePipelines.canBalance(first)
                ? ElementFactory.make("videobalance", Balance.ELEMENT) : null;
        Element filter = null;
        if (caps != null) {
            filter = ElementFactory.make("capsfilter", "running");
            filter.setAsString("caps", caps);
        }
        Element tee = ElementFactory.make("tee", "tee");
        tee.set("allow-not-linked", true);
        pipeline.add(src);
        Element last = src;
        for (Element e : new Element[] {bal, filter, tee}) {
            if (e == null) {
                continue;
            }
            pipeline.add(e);
            if (!last.link(e)) {
                pipeline.dispose();
                throw new GstPipelineException(name, "the device cannot deliver " + first.describe(), "");
            }
            last = e;
        }
        return new DeviceTap(name, pipeline, src, bal, tee, caps);
    }

    /** What the source is held to for a choice: its size, rate and raw format, or its own JPEG; null for audio. */
    static String runningCaps(FormatChoice c) {
        if (c.encoding() == FormatChoice.Encoding.AUDIO) {
            return null;
        }
        String size = c.width() > 0 ? String.format(Locale.ROOT, ",width=%d,height=%d,framerate=%d/%d", c.width(),
                c.height(), c.fpsNumerator(), c.fpsDenominator()) : "";
        if (c.encoding() == FormatChoice.Encoding.MJPEG
                && (c.deviceEncodes() || CapturePipelines.decodesDeviceJpeg(c))) {
            return "image/jpeg" + size;
        }
        if (c.encoding() == FormatChoice.Encoding.RAW) {
            return "video/x-raw,format=" + c.sourceFormat() + size;
        }
        return "video/x-raw" + size;
    }

    /**
     * What a branch for {@code wanted} really sends on this device: the same, except that the device's own JPEG can
     * only be passed on when the device runs at exactly that; otherwise this host encodes the MJPEG.
     */
    FormatChoice effective(FormatChoice wanted) {
        if (wanted.encoding() == FormatChoice.Encoding.MJPEG && wanted.deviceEncodes() && !fits(wanted)) {
            return new FormatChoice(wanted.encoding(), wanted.sourceFormat(), wanted.width(), wanted.height(),
                    wanted.fpsNumerator(), wanted.fpsDenominator(), false, wanted.bytesPerSecond(),
                    wanted.bitrateKbps(), wanted.reason() + "; encoded on this host from the picture the device "
                    + "runs at for its other borrowers");
        }
        return wanted;
    }

    /** Whether a branch for the choice takes the device's pictures as they are (no conversion). */
    boolean fits(FormatChoice c) {
        return runningCaps == null || runningCaps.equals(runningCaps(c));
    }

    /**
     * Adds a branch for {@code choice} (see {@link #effective}) and waits for its first sample; the first branch
     * starts the device.
     *
     * @throws GstPipelineException when the branch (or the device, for the first) fails to start in time
     */
    synchronized Capture addBranch(FormatChoice wanted, Duration startTimeout, Capture.Listener listener)
            throws GstPipelineException, InterruptedException {
        if (closed || failed) {
            throw new GstPipelineException(name, "the device has stopped", "");
        }
        FormatChoice choice = effective(wanted);
        String[] missing = CapturePipelines.missingPlugin(choice, GstRuntime::isInstalled);
        boolean fromJpeg = runningCaps != null && runningCaps.startsWith("image/jpeg") && !fits(choice);
        if (missing == null && fromJpeg && !GstRuntime.isInstalled("jpegdec")) {
            missing = new String[] {"jpegdec", "gstreamer1.0-plugins-good"};
        }
        if (missing != null) {
            throw new GstPipelineException(missing[0], "the " + missing[0] + " element is missing: install "
                    + missing[1], "");
        }
        String convert = fits(choice) ? "" : choice.encoding() == FormatChoice.Encoding.AUDIO ? ""
                : (fromJpeg ? "jpegdec ! " : "") + "videoconvert ! videoscale ! videorate ! ";
        Bin bin;
        try {
            bin = Gst.parseBinFromDescription(convert + CapturePipelines.afterSource(choice), true);
        } catch (GstException e) {
            // An element that cannot be made or a format it cannot take: this format cannot start, the device runs on.
            throw new GstPipelineException(name, "sending as " + choice.describe() + " cannot start: "
                    + e.getMessage(), "");
        }
        bin.setName(BRANCH + nextBranch++);
        Pipeline pipeline = host.pipeline();
        pipeline.add(bin);
        Pad teePad = tee.getRequestPad("src_%u");
        Pad binPad = bin.getStaticPad("sink");
        org.freedesktop.gstreamer.elements.AppSink sink =
                (org.freedesktop.gstreamer.elements.AppSink) bin.getElementByName("out");
        // A sink added to a running pipeline must not wait for a preroll: with async on, the bin stopped in PAUSED
        // after its preroll (the pipeline had nothing pending to carry it on to PLAYING) and sent nothing.
        sink.set("async", false);
        Capture[] self = new Capture[1];
        Capture c = Capture.branch(host, sink, choice, source, balance, listener, () -> removeBranch(self[0],
                bin, teePad));
        self[0] = c;
        // Known before anything flows, so that the branch's first errors are told as its own.
        Part part = new Part(c, bin, teePad);
        parts.put(bin.getName(), part);
        boolean queued = queueEveryBranch || !branches.isEmpty();
        if (queued) {
            part.queue = newQueue(bin.getName());
            pipeline.add(part.queue);
        }
        if (playing) {
            // Running before it is linked: a tee pushing into a bin not yet playing gets "flushing" back, which
            // stops the source under every other branch.
            bin.syncStateWithParent();
            if (queued) {
                part.queue.syncStateWithParent();
            }
        }
        try {
            if (queued) {
                linkThrough(teePad, part.queue, binPad);
            } else {
                teePad.link(binPad);
            }
        } catch (PadLinkException e) {
            parts.remove(bin.getName());
            tee.releaseRequestPad(teePad);
            bin.setState(State.NULL);
            pipeline.remove(bin);
            if (queued) {
                part.queue.setState(State.NULL);
                pipeline.remove(part.queue);
            }
            throw new GstPipelineException(name, "the device cannot deliver " + choice.describe(), "");
        }
        if (queued) {
            // The branches that had the device to themselves get their queues now, so this one's pictures do not
            // wait for their encoders.
            for (Part other : parts.values()) {
                if (other != part && other.queue == null && !other.cut.get()) {
                    insertQueue(other);
                }
            }
        }
        branches.add(c);
        if (!playing) {
            playing = true;
            host.play();
        }
        boolean started;
        try {
            started = c.awaitFirstCaps(startTimeout);
        } catch (GstPipelineException e) {
            c.close();
            throw e;
        }
        if (!started) {
            c.close();
            throw new GstPipelineException(name, "the device sent nothing within " + startTimeout.toMillis()
                    + " ms", "");
        }
        return c;
    }

    /** A branch's own queue, named after its bin so that its errors are told as the branch's. */
    private static Element newQueue(String branch) {
        Element q = ElementFactory.make("queue", branch + QUEUE);
        q.set("max-size-buffers", BRANCH_QUEUE_BUFFERS);
        q.set("max-size-bytes", 0);
        q.set("max-size-time", 0L);
        q.setAsString("leaky", "downstream");
        return q;
    }

    /** Links a tee pad to a branch's bin through the branch's queue, the far side first. */
    private static void linkThrough(Pad teePad, Element queue, Pad binPad) throws PadLinkException {
        queue.getStaticPad("src").link(binPad);
        teePad.link(queue.getStaticPad("sink"));
    }

    /**
     * Puts a queue between the tee and a branch that had the device to itself, between two pictures (an idle probe
     * on its tee pad: at once when the device is not pushing into it).
     */
    private void insertQueue(Part part) {
        Element q = newQueue(part.bin.getName());
        Pipeline pipeline = host.pipeline();
        pipeline.add(q);
        q.syncStateWithParent();
        Pad binPad = part.bin.getStaticPad("sink");
        CountDownLatch moved = new CountDownLatch(1);
        part.queue = q;
        part.teePad.block(() -> {
            try {
                part.teePad.unlink(binPad);
                linkThrough(part.teePad, q, binPad);
            } catch (PadLinkException e) {
                // A queue takes any caps: linking it cannot fail but for a programming error.
                throw new IllegalStateException(e);
            } finally {
                moved.countDown();
            }
        });
        try {
            if (!moved.await(DETACH_WAIT_MS, TimeUnit.MILLISECONDS)) {
                System.getLogger(DeviceTap.class.getName()).log(System.Logger.Level.WARNING, name + ": "
                        + part.bin.getName() + " got no queue: the device pushed no picture within "
                        + DETACH_WAIT_MS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes a branch off the running device, between two pictures; the last branch closes the device. */
    private synchronized void removeBranch(Capture c, Bin bin, Pad teePad) {
        if (!branches.remove(c) || closed) {
            return;
        }
        Part part = parts.remove(bin.getName());
        if (branches.isEmpty()) {
            close();
            return;
        }
        CountDownLatch unlinked = new CountDownLatch(1);
        // An idle probe runs when the tee is not pushing into this pad (at once when the device is not flowing).
        teePad.block(() -> {
            unlinkTee(teePad);
            unlinked.countDown();
        });
        try {
            if (!unlinked.await(DETACH_WAIT_MS, TimeUnit.MILLISECONDS)) {
                unlinkTee(teePad); // the device is stuck: unlinking now cannot race a push that never comes
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unlinkTee(teePad);
        }
        Element queue = part != null ? part.queue : null;
        if (queue != null) {
            queue.setState(State.NULL);
            host.pipeline().remove(queue);
        }
        bin.setState(State.NULL);
        host.pipeline().remove(bin);
        tee.releaseRequestPad(teePad);
    }

    /** Unlinks a tee pad from whatever it feeds (a branch's queue or its bin). */
    private static void unlinkTee(Pad teePad) {
        Pad peer = teePad.getPeer();
        if (peer != null) {
            teePad.unlink(peer);
        }
    }

    private void problem(MediaProblem p) {
        if (p.severity() == MediaProblem.Severity.ERROR) {
            failed = true;
        }
        for (Part part : parts.values()) {
            if (!part.cut.get()) {
                part.capture.problem(p);
            }
        }
    }

    /** Whether the device has failed: a new lend opens it afresh rather than joining this pipeline. */
    boolean failed() {
        return failed;
    }

    /** Whether the device has been closed (its last branch went). */
    synchronized boolean isClosed() {
        return closed;
    }

    int branchCount() {
        return branches.size();
    }

    /** The pipeline's name (one per opened device: tests count them). */
    String name() {
        return name;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        branches.clear();
        parts.clear();
        host.close();
    }
}
