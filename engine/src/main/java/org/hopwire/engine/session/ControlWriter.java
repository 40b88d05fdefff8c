package org.hopwire.engine.session;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.protocol.ControlCodec;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlSeal;
import org.hopwire.engine.protocol.WireWriter;

/**
 * The one thread that writes the control stream: takes messages from a bounded queue in order, gathers them into
 * writes of up to 64 KiB, and seals every message after the one the handshake names (docs/protocol.md, 6.3). It also
 * tells a caller whose message does not fit whether the writer is stuck in a write (the peer stopped reading) or
 * only behind (a burst).
 */
final class ControlWriter {
    /** Messages queued at most: far more than a session says in a heartbeat interval. */
    static final int CAPACITY = 1024;
    private static final int BATCH_BYTES = 65_536;

    private final StreamChannel channel;
    private final BlockingQueue<ControlMessage> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Consumer<IOException> onLinkDown;
    private final Consumer<Throwable> onFailure;
    private final Thread thread;
    /** The message after which messages are sealed, and the seal; the writer switches exactly there. */
    private volatile ControlMessage sealAfter;
    private volatile ControlSeal seal;
    /** When the write in progress began, or 0. */
    private volatile long blockedSinceNs;
    private volatile boolean finishing;

    /**
     * @param onLinkDown told when a write fails (the link is gone)
     * @param onFailure  told of a message that could not be encoded, or a bug; the writer goes on with the next
     */
    ControlWriter(StreamChannel channel, String name, Consumer<IOException> onLinkDown,
                  Consumer<Throwable> onFailure) {
        this.channel = channel;
        this.onLinkDown = onLinkDown;
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean offer(ControlMessage m) {
        return queue.offer(m);
    }

    boolean offer(ControlMessage m, long timeoutMs) throws InterruptedException {
        return queue.offer(m, timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Every message queued after {@code m} (which the caller queues next) is sealed under {@code s}. */
    void sealAfter(ControlMessage m, ControlSeal s) {
        seal = s;
        sealAfter = m;
    }

    int queued() {
        return queue.size();
    }

    /**
     * Whether the writer has been stuck in one write for at least {@code stuckMs}: if a write is in progress but
     * younger, looks again for up to that long, since it may be about to finish.
     */
    boolean stuckFor(long stuckMs) {
        long stuckNs = TimeUnit.MILLISECONDS.toNanos(stuckMs);
        long lookUntil = System.nanoTime() + stuckNs;
        long since = blockedSinceNs;
        while (since != 0 && System.nanoTime() - since < stuckNs && System.nanoTime() < lookUntil) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            since = blockedSinceNs;
        }
        return since != 0 && System.nanoTime() - since >= stuckNs;
    }

    /** Writes what is queued, then ends. */
    void finish() {
        finishing = true;
    }

    boolean isWriterThread() {
        return Thread.currentThread() == thread;
    }

    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    private void run() {
        WireWriter w = new WireWriter(4096);
        ControlSeal current = null;
        try {
            while (true) {
                ControlMessage m = queue.poll(50, TimeUnit.MILLISECONDS);
                if (m == null) {
                    if (finishing) {
                        return;
                    }
                    continue;
                }
                w.clear();
                do {
                    int before = w.position();
                    try {
                        ControlCodec.encode(m, w, current);
                    } catch (RuntimeException e) {
                        // A message that cannot be encoded (a field over its limit) is not sent; what came before
                        // is. The session ends with the reason, and this thread goes on to send the farewell.
                        w.truncate(before);
                        onFailure.accept(e);
                        continue;
                    }
                    if (m == sealAfter) {
                        current = seal;
                    }
                } while (w.position() < BATCH_BYTES && (m = queue.poll()) != null);
                blockedSinceNs = System.nanoTime();
                channel.writeFully(w.toBuffer());
                blockedSinceNs = 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            onLinkDown.accept(e);
        } catch (Throwable t) {
            onFailure.accept(t);
        }
    }
}
