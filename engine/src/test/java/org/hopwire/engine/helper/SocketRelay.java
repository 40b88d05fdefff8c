package org.hopwire.engine.helper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Copies bytes between a Unix socket and a process's streams on a thread each way. The channel is read and written
 * directly: the streams of {@code Channels} share one lock per channel, so a blocked read would hold up every write.
 */
final class SocketRelay {
    private SocketRelay() {
    }

    /** Socket to {@code to}; at the socket's end of input, closes {@code to}. */
    static Thread fromSocket(SocketChannel socket, OutputStream to) {
        return start(() -> {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            try (to) {
                while (socket.read(buf) > 0) {
                    to.write(buf.array(), 0, buf.position());
                    to.flush();
                    buf.clear();
                }
            } catch (IOException e) {
                // either end went away
            }
        });
    }

    /** {@code from} to the socket; at its end, shuts the socket's output down. */
    static Thread toSocket(InputStream from, SocketChannel socket) {
        return start(() -> {
            byte[] b = new byte[4096];
            try (from) {
                for (int n; (n = from.read(b)) > 0; ) {
                    ByteBuffer buf = ByteBuffer.wrap(b, 0, n);
                    while (buf.hasRemaining()) {
                        socket.write(buf);
                    }
                }
                socket.shutdownOutput();
            } catch (IOException e) {
                // either end went away
            }
        });
    }

    private static Thread start(Runnable body) {
        Thread t = new Thread(body, "socket-relay");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
