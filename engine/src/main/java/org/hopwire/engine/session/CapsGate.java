package org.hopwire.engine.session;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Consumer;

import org.hopwire.engine.protocol.DataStreamDecoder;
import org.hopwire.engine.protocol.MediaFrame;

/**
 * Frames that wait for the CAPS they were made for (see {@code PeerSession.capsGate}): a frame made for a newer CAPS
 * than the one in force is held until it comes, a frame made for an older one is dropped. Callers synchronise on it.
 */
final class CapsGate {
    /** Bounds the wait: a few frames cover the microseconds a CAPS can lag behind the data stream. */
    static final int MAX_HELD = 8;
    final int[] version = new int[DataStreamDecoder.MAX_CHANNELS];
    final ArrayDeque<MediaFrame> held = new ArrayDeque<>();

    /** False when the oldest held frame of the channel had to make room (and was recycled). */
    boolean hold(MediaFrame frame, Consumer<MediaFrame> recycle) {
        boolean kept = true;
        if (held.stream().filter(f -> f.channel() == frame.channel()).count() >= MAX_HELD) {
            for (Iterator<MediaFrame> it = held.iterator(); it.hasNext(); ) {
                MediaFrame f = it.next();
                if (f.channel() == frame.channel()) {
                    it.remove();
                    recycle.accept(f);
                    kept = false;
                    break;
                }
            }
        }
        held.addLast(frame);
        return kept;
    }

    /** Hands on the channel's held frames that the version now in force covers, in order; drops older ones. */
    void release(int channel, Consumer<MediaFrame> deliver,
                 Consumer<MediaFrame> recycle) {
        for (Iterator<MediaFrame> it = held.iterator(); it.hasNext(); ) {
            MediaFrame f = it.next();
            if (f.channel() == channel && f.capsVersion() <= version[channel]) {
                it.remove();
                (f.capsVersion() == version[channel] ? deliver : recycle).accept(f);
            }
        }
    }

    void reset(int channel, int initialVersion, Consumer<MediaFrame> recycle) {
        held.removeIf(f -> {
            if (f.channel() == channel) {
                recycle.accept(f);
                return true;
            }
            return false;
        });
        version[channel] = initialVersion;
    }
}
