package org.hopwire.engine.session;

import java.util.Deque;
import java.util.Iterator;

import org.hopwire.engine.protocol.MediaFrame;

/**
 * Which frame a full channel queue gives up so a new one fits: a strategy, tested by feeding it made-up frames.
 *
 * <p>Video gives up its oldest frame that is not a key frame (the decoder can do without it, not without a key
 * frame); audio gives up its oldest. Neither reorders what it keeps.
 */
public interface OverflowPolicy {
    /** Removes one frame from a full queue to make room and returns it; the new frame is then appended. */
    MediaFrame makeRoom(Deque<MediaFrame> queue);

    OverflowPolicy VIDEO = queue -> {
        for (Iterator<MediaFrame> it = queue.iterator(); it.hasNext(); ) {
            MediaFrame f = it.next();
            if (!f.isKeyFrame()) {
                it.remove();
                return f;
            }
        }
        return queue.pollFirst();
    };

    OverflowPolicy AUDIO = Deque::pollFirst;
}
