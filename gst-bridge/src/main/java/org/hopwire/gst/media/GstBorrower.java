package org.hopwire.gst.media;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionException;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.playback.AvSync;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;

/**
 * The borrowing side of a session: a playback per borrowed channel, to the outputs the person chose; frames go in,
 * their buffers go back to the session at once. A stalled lender shows "waiting for source" and, when frames come
 * back, a key frame is asked for so the picture recovers by itself.
 */
public final class GstBorrower implements AutoCloseable {
    private final Function<Borrow, Outputs> outputsFor;
    private final AtomicReference<PeerSession> session = new AtomicReference<>();
    private final Map<Integer, Playback> playing = new ConcurrentHashMap<>();
    private final List<Consumer<MediaProblem>> problemListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Borrowed>> startListeners = new CopyOnWriteArrayList<>();
    private volatile Playback.Listener extra = new Playback.Listener() { };

    /** A borrowed device now playing. */
    public record Borrowed(Borrow borrow, Playback playback) {
    }

    public GstBorrower(Function<Borrow, Outputs> outputsFor) {
        this.outputsFor = outputsFor;
    }

    public void attach(PeerSession s) {
        session.set(s);
    }

    public Runnable onProblem(Consumer<MediaProblem> listener) {
        problemListeners.add(listener);
        return () -> problemListeners.remove(listener);
    }

    /** Told when a borrowed device starts playing (its preview slot is ready). */
    public Runnable onStarted(Consumer<Borrowed> listener) {
        startListeners.add(listener);
        return () -> startListeners.remove(listener);
    }

    /** Also told of every playback's events (for statistics and benchmarks). */
    public void playbackListener(Playback.Listener listener) {
        this.extra = listener;
    }

    public void onBorrowStarted(Borrow borrow) {
        try {
            Playback p = startPlayback(borrow);
            Playback old = playing.put(borrow.channel(), p);
            if (old != null) {
                old.close();
            }
            startListeners.forEach(l -> l.accept(new Borrowed(borrow, p)));
        } catch (GstPipelineException | GStreamerUnavailableException e) {
            problemListeners.forEach(l -> l.accept(new MediaProblem(MediaProblem.Severity.ERROR, "borrow "
                    + borrow.deviceId(), e instanceof GstPipelineException g ? g.element() : "gstreamer",
                    e.getMessage(), "")));
            PeerSession s = session.get();
            if (s != null) {
                s.giveBack(borrow.channel());
            }
        }
    }

    /**
     * Capture cards' halves in step: both channels of a card's borrow share one {@link AvSync}, found by either
     * channel while the borrow lasts.
     */
    private final Map<Integer, AvSync> syncs = new ConcurrentHashMap<>();

    private Playback startPlayback(Borrow borrow) throws GstPipelineException, GStreamerUnavailableException {
        String name = "borrow-" + borrow.deviceId() + "-" + borrow.channel();
        Outputs outputs = outputsFor.apply(borrow);
        if (!borrow.grouped()) {
            return Playback.start(name, borrow.caps(), outputs, new Listener(borrow.channel()));
        }
        AvSync sync = syncs.get(borrow.partner());
        if (sync == null) {
            sync = new AvSync();
        }
        syncs.put(borrow.channel(), sync);
        // The sound's tap is where the beep's onset is heard for the A/V offset.
        return Playback.startInStep(name, borrow.caps(), borrow.isAudio() ? outputs.withAudioTap() : outputs,
                new Listener(borrow.channel()), sync);
    }

    /** The A/V offset keeper of a capture card's borrow, by either of its channels. */
    public Optional<AvSync> avSync(int channel) {
        return Optional.ofNullable(syncs.get(channel));
    }

    private final class Listener implements Playback.Listener {
        private final int channel;

        Listener(int channel) {
            this.channel = channel;
        }

        @Override
        public void onProblem(MediaProblem problem) {
            problemListeners.forEach(l -> l.accept(problem));
            extra.onProblem(problem);
        }

        @Override
        public void onStalled(boolean stalled) {
            extra.onStalled(stalled);
            PeerSession s = session.get();
            if (!stalled && s != null) {
                try {
                    s.requestKeyFrame(channel); // a decoder that lost its reference pictures needs one
                } catch (SessionException e) {
                    // the borrow ended meanwhile
                }
            }
        }

        @Override
        public void onShown(long senderPts, long shownNanos) {
            extra.onShown(senderPts, shownNanos);
        }
    }

    /** Sees every frame before it is played (statistics, tests); on the session's data thread, must be quick. */
    public void observeFrames(Consumer<MediaFrame> observer) {
        this.observer = observer;
    }

    private volatile Consumer<MediaFrame> observer = f -> { };

    public void onFrame(MediaFrame frame) {
        observer.accept(frame);
        Playback p = playing.get(frame.channel());
        if (p != null) {
            // The playback owns the frame from here: a video frame goes to GStreamer wrapped, without a copy, and
            // comes back to the session's pool when GStreamer frees it.
            p.push(frame, recycle);
        } else {
            recycle.accept(frame);
        }
    }

    /** Gives a frame back to the session it came from; on a delivery or a GStreamer thread. */
    private final Consumer<MediaFrame> recycle = frame -> {
        PeerSession s = session.get();
        if (s != null) {
            s.recycle(frame);
        }
    };

    public void onCapsChanged(Borrow borrow) {
        Playback p = playing.get(borrow.channel());
        if (p == null) {
            return;
        }
        try {
            p.changeCaps(borrow.caps());
        } catch (GstPipelineException | GStreamerUnavailableException e) {
            problemListeners.forEach(l -> l.accept(new MediaProblem(MediaProblem.Severity.ERROR, p.toString(),
                    "playback", e.getMessage(), "")));
        }
    }

    public void onBorrowEnded(int channel, int reason) {
        syncs.remove(channel);
        Playback p = playing.remove(channel);
        if (p != null) {
            p.close();
        }
    }

    /** Gives a borrowed device back and stops playing it (a recording is finished first). */
    public void giveBack(int channel) {
        PeerSession s = session.get();
        if (s != null) {
            s.giveBack(channel);
        }
        onBorrowEnded(channel, org.hopwire.engine.protocol.ControlMessage.Stop.RETURNED);
    }

    public Optional<Playback> playback(int channel) {
        return Optional.ofNullable(playing.get(channel));
    }

    @Override
    public void close() {
        playing.values().forEach(Playback::close);
        playing.clear();
    }
}
