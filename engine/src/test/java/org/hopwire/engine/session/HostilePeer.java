package org.hopwire.engine.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.protocol.ControlCodec;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlSeal;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.protocol.WireWriter;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.engine.trust.PeerStore;

/**
 * Host B played by hand against a real session on A: it runs the honest handshake (the same {@link Handshake} unit
 * the session uses) over B's raw streams, so it can pair and authenticate, and then says whatever a test wants,
 * sealed or not. What A says is collected.
 */
final class HostilePeer implements AutoCloseable {
    final StreamChannel control;
    final StreamChannel data;
    final Handshake handshake;
    final BlockingQueue<ControlMessage> received = new LinkedBlockingQueue<>();
    final List<String> codes = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    /** The person on B: confirms codes unless told otherwise. */
    volatile boolean confirm = true;
    /** When false, B does not read its control stream at all (a peer that stopped reading). */
    volatile boolean reading = true;
    private final Object writeLock = new Object();
    private ControlSeal sendSeal;
    private volatile ControlCodec.Decoder decoder;
    private final Thread reader;
    private volatile boolean closed;

    HostilePeer(SessionPair pair, PeerStore storeB, FrameSeal.Protection wanted) throws Exception {
        this(pair, storeB, wanted, PeerSession.PROTOCOL_MINOR);
    }

    /** As above, speaking protocol minor {@code minor} (an older peer). */
    HostilePeer(SessionPair pair, PeerStore storeB, FrameSeal.Protection wanted, int minor) throws Exception {
        StreamChannel[] raw = pair.openRawB();
        control = raw[0];
        data = raw[1];
        PeerHost a = pair.pb.peer();
        PeerSession.Identity me = new PeerSession.Identity(pair.bed.b().localHostUuid(), "beta", "test");
        handshake = new Handshake(PeerSession.PROTOCOL_MAJOR, minor, me,
                new PeerInfo(a.uuid(), a.deviceName(), a.id()), wanted, storeB, new SecureRandom(), new Port());
        reader = new Thread(this::read, "hostile-peer-read");
        reader.setDaemon(true);
        reader.start();
        // As the session does (docs/protocol.md, 5): what is written before the peer's end reads may be lost, so
        // HELLO goes again every 100 ms until the peer's arrives.
        Thread hello = new Thread(() -> {
            while (!closed && handshake.peerHello().isEmpty()) {
                sendQuietly(handshake.hello());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "hostile-peer-hello");
        hello.setDaemon(true);
        hello.start();
    }

    private final class Port implements Handshake.Port {
        @Override
        public void send(ControlMessage m) {
            HostilePeer.this.sendQuietly(m);
        }

        @Override
        public void sendThenSeal(ControlMessage m, ControlSeal seal) {
            synchronized (writeLock) {
                sendQuietly(m);
                sendSeal = seal;
            }
        }

        @Override
        public void expectSealed(ControlSeal seal) {
            decoder.expectSealed(seal);
        }

        @Override
        public void askPerson(String code) {
            codes.add(code);
            Thread t = new Thread(() -> {
                try {
                    handshake.personAnswered(confirm);
                } catch (Handshake.Failure f) {
                    failures.add(f);
                }
            });
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void phase(PeerSession.State state) {
        }
    }

    private void read() {
        ControlCodec.Decoder d = new ControlCodec.Decoder();
        decoder = d;
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (!closed) {
                if (!reading) {
                    Thread.sleep(5);
                    continue;
                }
                buf.clear();
                if (control.read(buf) < 0) {
                    return;
                }
                d.feed(buf.flip(), m -> {
                    received.add(m);
                    if (m instanceof ControlMessage.Hello && handshake.peerHello().isEmpty()) {
                        sendQuietly(handshake.hello()); // once more, now that the peer surely reads
                    }
                    if (Handshake.isHandshake(m)) {
                        try {
                            handshake.handle(m);
                        } catch (Handshake.Failure f) {
                            failures.add(f);
                        }
                    }
                });
            }
        } catch (IOException | InterruptedException e) {
            if (!closed) {
                failures.add(e);
            }
        }
    }

    private void sendQuietly(ControlMessage m) {
        try {
            send(m);
        } catch (IOException e) {
            failures.add(e);
        }
    }

    /** Sends messages, sealed once B has sent its AUTH_RESPONSE (as an honest host would). */
    void send(ControlMessage... messages) throws IOException {
        synchronized (writeLock) {
            WireWriter w = new WireWriter(256);
            for (ControlMessage m : messages) {
                ControlCodec.encode(m, w, sendSeal);
            }
            control.writeFully(w.toBuffer());
        }
    }

    /** Sends a message without a tag even where one is due: what a device that injects bytes can do. */
    void sendUnsealed(ControlMessage m) throws IOException {
        synchronized (writeLock) {
            control.writeFully(ControlCodec.encode(m));
        }
    }

    /** Sends a message of any type and body, sealed as due: a peer that holds the keys and breaks the rules. */
    void sendBody(int type, byte[] body) throws IOException {
        synchronized (writeLock) {
            WireWriter w = new WireWriter(body.length + 32);
            ControlCodec.encodeRaw(type, body, w, sendSeal);
            control.writeFully(w.toBuffer());
        }
    }

    /** Waits until B's side of the handshake is done (B proved A and sent its answer). */
    void awaitReady() throws InterruptedException {
        Transfers.await(() -> handshake.result().isPresent() || !failures.isEmpty(), Duration.ofSeconds(10),
                "the hostile peer authenticated");
        if (!failures.isEmpty()) {
            throw new AssertionError("handshake failed on B: " + failures);
        }
    }

    /** The next message from A that matches, within 5 s; fails the test otherwise. */
    <T extends ControlMessage> T await(Class<T> type, Predicate<T> match) throws InterruptedException {
        return await(type, match, Duration.ofSeconds(5));
    }

    <T extends ControlMessage> T await(Class<T> type, Predicate<T> match, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            ControlMessage m = received.poll(50, TimeUnit.MILLISECONDS);
            if (type.isInstance(m) && match.test(type.cast(m))) {
                return type.cast(m);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " from A within " + within);
    }

    @Override
    public void close() {
        closed = true;
        try {
            control.close();
            data.close();
        } catch (IOException | RuntimeException e) {
            // closing a test's streams
        }
    }
}
