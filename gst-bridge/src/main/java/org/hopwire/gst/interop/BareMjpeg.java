package org.hopwire.gst.interop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.capture.Capture;
import org.hopwire.gst.device.SourceFactory;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;

/**
 * Compatibility with hosts that run only the kernel documentation's pipelines: a bare MJPEG byte stream on a
 * stream, no Hopwire framing, no control stream. {@link #send} is the documentation's {@code jpegenc ! filesink
 * location=/dev/tbstream0}; {@link #receive} is its {@code filesrc location=/dev/tbstream0 ! jpegdec}.
 */
public final class BareMjpeg {
    private BareMjpeg() {
    }

    /** Captures a device as MJPEG and writes the JPEG images back to back into the stream. */
    public static Sender send(String name, SourceFactory source, FormatChoice choice, StreamChannel stream)
            throws GstPipelineException, GStreamerUnavailableException, InterruptedException {
        if (choice.encoding() != FormatChoice.Encoding.MJPEG) {
            throw new IllegalArgumentException("the compatibility mode sends MJPEG only, not " + choice.describe());
        }
        Sender s = new Sender(stream);
        s.capture = Capture.start(name, source, choice, 0, Duration.ofSeconds(5), s);
        s.capture.sendTo(0);
        s.writer.start();
        return s;
    }

    /** Reads a bare MJPEG byte stream and plays it to the outputs. */
    public static Receiver receive(String name, StreamChannel stream, Outputs outputs, Playback.Listener listener)
            throws GstPipelineException, GStreamerUnavailableException {
        Playback p = Playback.startByteStream(name, "image/jpeg", outputs, listener);
        Receiver r = new Receiver(stream, p);
        r.reader.start();
        return r;
    }

    /** The sending side: a capture and the thread that writes its images. */
    public static final class Sender implements Capture.Listener, AutoCloseable {
        /** A few images may wait for the link; older ones are dropped when it is slower than the camera. */
        private static final int QUEUE = 4;
        /** How long closing waits for the image in flight and for room for the CLOSE: a receiver reads far faster. */
        private static final java.time.Duration FINISH_WAIT = java.time.Duration.ofSeconds(2);
        private final StreamChannel stream;
        private final ArrayDeque<MediaFrame> queue = new ArrayDeque<>();
        private final Thread writer;
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong dropped = new AtomicLong();
        private Capture capture;
        private volatile Written written = (i, t) -> { };
        private volatile boolean closed;
        private volatile Exception failure;

        private Sender(StreamChannel stream) {
            this.stream = stream;
            this.writer = new Thread(this::write, "hopwire-bare-mjpeg-send");
            writer.setDaemon(true);
        }

        @Override
        public void onCaps(String caps) {
            // a bare stream has no place for caps: the receiver's jpegdec reads sizes from each image
        }

        @Override
        public void onFrame(MediaFrame frame) {
            synchronized (queue) {
                if (queue.size() >= QUEUE) {
                    capture.release(queue.pollFirst());
                    dropped.incrementAndGet();
                }
                queue.addLast(frame);
                queue.notifyAll();
            }
        }

        @Override
        public void onProblem(MediaProblem problem) {
            if (problem.severity() == MediaProblem.Severity.ERROR) {
                failure = GstPipelineException.of(problem);
            }
        }

        private void write() {
            try {
                while (true) {
                    MediaFrame f;
                    synchronized (queue) {
                        while (queue.isEmpty() && !closed) {
                            queue.wait();
                        }
                        if (closed) {
                            return;
                        }
                        f = queue.pollFirst();
                    }
                    stream.writeFully(f.payload());
                    written.written(sent.get(), capture.baseTimeNs() + f.pts());
                    capture.release(f);
                    sent.incrementAndGet();
                }
            } catch (IOException e) {
                if (!closed) {
                    failure = e;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** An image written: its place in the stream (0 for the first) and its capture time (System.nanoTime). */
        public interface Written {
            void written(long index, long captureNanos);
        }

        /**
         * Told, on the writing thread, of each image once it is written, with its place in the stream, which is the
         * order a receiver shows them in (the media benchmark pairs them to measure the recipe's latency; a bare
         * stream carries no timestamps). The place counts from the stream's first image, also when the observer comes
         * after images were written.
         */
        public void observeWritten(Written observer) {
            this.written = observer;
        }

        public long imagesSent() {
            return sent.get();
        }

        public long imagesDropped() {
            return dropped.get();
        }

        public Capture capture() {
            return capture;
        }

        /** Why sending stopped early (the link went down, the device failed), or null. */
        public Exception failure() {
            return failure;
        }

        /**
         * Stops the camera, lets the image being written finish, and closes the stream so the receiver reads end of
         * file: the driver's last close sends CLOSE only when the TX ring has room, so it waits for that first.
         */
        @Override
        public void close() throws IOException {
            closed = true;
            synchronized (queue) {
                queue.notifyAll();
            }
            capture.close();
            try {
                writer.join(FINISH_WAIT.toMillis());
                stream.awaitWritable(FINISH_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the link went: there is no end of file to pass on
            } finally {
                stream.close();
            }
        }
    }

    /** The receiving side: the thread that reads the stream into a playback. */
    public static final class Receiver implements AutoCloseable {
        private final StreamChannel stream;
        private final Playback playback;
        private final Thread reader;
        private volatile boolean ended;
        private volatile IOException failure;
        private volatile long bytes;

        private Receiver(StreamChannel stream, Playback playback) {
            this.stream = stream;
            this.playback = playback;
            this.reader = new Thread(this::read, "hopwire-bare-mjpeg-receive");
            reader.setDaemon(true);
        }

        private void read() {
            ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
            try {
                while (true) {
                    buf.clear();
                    int n = stream.read(buf);
                    if (n < 0) {
                        break;
                    }
                    bytes += n;
                    buf.flip();
                    playback.pushBytes(buf);
                }
            } catch (IOException e) {
                failure = e;
            } finally {
                ended = true;
            }
        }

        public Playback playback() {
            return playback;
        }

        public long bytes() {
            return bytes;
        }

        /** True once the sender closed its side (EOF) or the link went. */
        public boolean ended() {
            return ended;
        }

        public IOException failure() {
            return failure;
        }

        @Override
        public void close() throws IOException {
            stream.close();
            playback.close();
        }
    }
}
