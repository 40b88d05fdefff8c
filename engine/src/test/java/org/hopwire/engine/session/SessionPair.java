package org.hopwire.engine.session;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.pairing.PairedStreams;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.engine.trust.PeerStore;

/** Two hosts on an emulated cable with their control and data streams paired, and a session on each. */
final class SessionPair implements AutoCloseable {
    static final List<String> STREAMS = List.of("hwctl", "hwdata");
    static final ControlMessage.Catalog CATALOG = new ControlMessage.Catalog(List.of(
            new ControlMessage.Device("cam0", ControlMessage.Device.VIDEO, "Test camera", List.of()),
            new ControlMessage.Device("cam1", ControlMessage.Device.VIDEO, "Second camera", List.of()),
            new ControlMessage.Device("mic0", ControlMessage.Device.AUDIO, "Test microphone", List.of()),
            new ControlMessage.Device("busy", ControlMessage.Device.VIDEO, "Busy camera", List.of())));

    final EmulatedTestbed bed;
    final PeerStore storeA;
    final PeerStore storeB;
    PairedStreams pa;
    PairedStreams pb;
    Recorder ha = new Recorder();
    Recorder hb = new Recorder();
    PeerSession a;
    PeerSession b;

    SessionPair(Path dir) throws Exception {
        bed = new EmulatedTestbed();
        storeA = new PeerStore(dir.resolve("a"));
        storeB = new PeerStore(dir.resolve("b"));
        pairStreams();
    }

    void pairStreams() throws Exception {
        PairedStreams[] both = bed.pairOnBoth(STREAMS);
        pa = both[0];
        pb = both[1];
    }

    /** Opens the streams and starts a session on each side. */
    void start(PeerSession.Config configA, PeerSession.Config configB) throws Exception {
        start(configA, configB, new Recorder(), new Recorder());
    }

    /** Starts with handlers prepared beforehand, so their answers are set before anything is asked. */
    void start(PeerSession.Config configA, PeerSession.Config configB, Recorder handlerA, Recorder handlerB)
            throws Exception {
        ha = handlerA;
        hb = handlerB;
        a = startOne(bed.a(), pa, "alpha", configA, storeA, ha);
        b = startOne(bed.b(), pb, "beta", configB, storeB, hb);
        a.setCatalog(CATALOG);
        b.setCatalog(CATALOG);
    }

    void start() throws Exception {
        start(PeerSession.Config.DEFAULT, PeerSession.Config.DEFAULT);
    }

    /**
     * Ends both sessions and starts new ones on freshly paired streams, as the app does after a session ends:
     * a stream's old contents (the peer's CLOSE, a half-sent frame) must not reach the next session.
     */
    void restart(PeerSession.Config configA, PeerSession.Config configB) throws Exception {
        a.close();
        b.close();
        pa.close();
        pb.close();
        // Let the withdrawals cross first, or the follower may inherit the old HopIDs (the session would then find
        // no peer behind them and need a restart of its own).
        Thread.sleep(bed.world().settings().timing().lastArrival().toMillis() + 50);
        pairStreams();
        start(configA, configB);
    }

    void restart() throws Exception {
        restart(PeerSession.Config.DEFAULT, PeerSession.Config.DEFAULT);
    }

    /** Opens B's streams for a test that plays B by hand: {control, data}. */
    StreamChannel[] openRawB() throws Exception {
        return new StreamChannel[] {bed.b().open(pb.stream("hwctl").address(), Duration.ofSeconds(5)),
            bed.b().open(pb.stream("hwdata").address(), Duration.ofSeconds(5))};
    }

    /** Starts a session on A only, with a fresh recorder. */
    PeerSession startA() throws Exception {
        ha = new Recorder();
        a = startOne(bed.a(), pa, "alpha", PeerSession.Config.DEFAULT, storeA, ha);
        return a;
    }

    static PeerSession startOne(Fabric f, PairedStreams p, String name, PeerSession.Config config, PeerStore store,
                                Recorder handler) throws Exception {
        StreamChannel data = f.open(p.stream("hwdata").address(), Duration.ofSeconds(5));
        StreamChannel control = f.open(p.stream("hwctl").address(), Duration.ofSeconds(5));
        PeerHost peer = p.peer();
        return PeerSession.start(config, new PeerSession.Identity(f.localHostUuid(), name, "test"),
                new PeerInfo(peer.uuid(), peer.deviceName(), peer.id()), control, data, store, handler);
    }

    static void awaitState(PeerSession s, PeerSession.State state) throws InterruptedException {
        Transfers.await(() -> s.state() == state, Duration.ofSeconds(10), "session state " + state
                + " (now " + s.state() + ", " + s.end() + ")");
    }

    void awaitReady() throws InterruptedException {
        awaitState(a, PeerSession.State.READY);
        awaitState(b, PeerSession.State.READY);
    }

    @Override
    public void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        bed.close();
    }
}
