package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gets the JIT to compile AES-GCM's direct-buffer path before frames depend on it, once per process, on a background
 * thread.
 *
 * <p>JDK 17 seals and opens direct buffers through {@code GHASH.processBlocksDirect} and {@code GCTR.update}, whose
 * fast (intrinsic) form comes only with C2, after several hundred calls. Until then AES-GCM runs at about 60 MB/s: a
 * 55 kB MJPEG frame took 1 ms to seal and 1 ms to open (against 20 us each once compiled), and at 30 fps that lasted
 * the first 25 s or so of a borrow. Raw video reaches the threshold within a second (48 pieces per frame), small
 * frames do not. Here 1000 sealed and opened frames of 16 kB (about 0.4 s of one core, low priority) get there
 * first, through the same calls the data stream makes.
 */
final class SealWarmUp {
    /** Frames sealed and opened: past C2's thresholds for both paths, measured on JDK 17. */
    static final int ROUNDS = 1000;
    private static final int BYTES = 16 * 1024;
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final CountDownLatch DONE = new CountDownLatch(1);
    private static volatile Thread thread;
    private static volatile boolean allOpened = true;

    private SealWarmUp() {
    }

    /** Starts the warm-up unless it has been started in this process already. */
    static void startOnce() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(SealWarmUp::run, "hopwire-seal-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        thread = t;
        t.start();
    }

    /** Waits for the warm-up and its thread to end; false when they have not within {@code millis}. */
    static boolean await(long millis) throws InterruptedException {
        if (!DONE.await(millis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        Thread t = thread;
        if (t != null) {
            t.join(millis);
        }
        return t == null || !t.isAlive();
    }

    /** Whether every warm-up frame opened to the bytes it was sealed from (a check that the paths it ran work). */
    static boolean allOpened() {
        return allOpened;
    }

    private static void run() {
        try {
            byte[] key = new byte[16];
            new SecureRandom().nextBytes(key);
            FrameSeal sender = new FrameSeal(FrameSeal.Protection.ENCRYPTED, key, FrameSeal.SEGMENT_BYTES, false);
            FrameSeal receiver = new FrameSeal(FrameSeal.Protection.ENCRYPTED, key, FrameSeal.SEGMENT_BYTES, false);
            int most = BYTES + 15;
            ByteBuffer payload = ByteBuffer.allocateDirect(most);
            for (int i = 0; i < most; i++) {
                payload.put(i, (byte) i);
            }
            ByteBuffer sealed = ByteBuffer.allocateDirect(sender.sealedLength(most));
            MediaFrame frame = new MediaFrame(0, 0, 0, -1, 0, FragmentHeader.KEY_FRAME, payload);
            for (int i = 0; i < ROUNDS; i++) {
                // Lengths off the AES block as well, as encoded frames are: the last piece takes another path.
                int length = BYTES + (i & 15);
                frame.reuse(0, i, i, -1, 0, FragmentHeader.KEY_FRAME, payload.duplicate().limit(length));
                FrameSeal.Sealing s = sender.beginSealing(frame, sealed.clear());
                s.sealTo(length / 2);
                s.sealTo(Integer.MAX_VALUE);
                ByteBuffer data = sealed.duplicate();
                FrameSeal.Opening o = receiver.beginOpening(0, FragmentHeader.KEY_FRAME, i, i, -1, 0, 0, data,
                        sealed.limit());
                if (!o.openTo(sealed.limit()) || !o.done() || data.remaining() != length
                        || data.get(data.position() + length - 1) != (byte) (length - 1)) {
                    allOpened = false;
                }
            }
        } finally {
            DONE.countDown();
        }
    }
}
