package org.hopwire.gst.media;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.fabric.emulated.EmulatedFabric;
import org.hopwire.engine.fabric.emulated.EmulatedHost;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.hopwire.engine.pairing.PairedStreams;
import org.hopwire.engine.pairing.StreamPairing;
import org.hopwire.engine.session.PeerInfo;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.engine.trust.PeerStore;
import org.hopwire.gst.capture.SharedCaptures;
import org.hopwire.gst.device.DeviceCatalog;
import org.hopwire.gst.format.FormatChooser;
import org.hopwire.gst.playback.Outputs;

/**
 * One owner ("alpha") cabled to several borrowers on an emulated fabric: the owner's lenders (one per peer) share one
 * {@link SharedCaptures} and one device catalog, as the app's hub has them; each borrower plays what it borrows.
 */
final class MediaFan implements AutoCloseable {
    /** One borrower host and the owner's side of its link. */
    static final class Link {
        final String name;
        /** What the owner's person answers this borrower (consent, controls). */
        final MediaPair.App ownerApp;
        final MediaPair.App borrowerApp = new MediaPair.App();
        final MediaSessionHandler owner;
        final MediaSessionHandler borrower;
        final DeviceCatalog borrowerDevices = DeviceCatalog.testSourcesOnly();
        PeerSession ownerSession;
        PeerSession borrowerSession;

        Link(String name, MediaPair.App ownerApp, MediaSessionHandler owner, Outputs outputs) {
            this.name = name;
            this.ownerApp = ownerApp;
            this.owner = owner;
            this.borrower = new MediaSessionHandler(borrowerApp, new GstLender(borrowerDevices, () -> 1_100_000_000L,
                    FormatChooser.Options.DEFAULT), new GstBorrower(b -> outputs));
        }
    }

    final EmulatedWorld world = new EmulatedWorld(EmulatedWorld.Settings.DEFAULT);
    final DeviceCatalog ownerDevices = DeviceCatalog.testSourcesOnly();
    final SharedCaptures shared = new SharedCaptures();
    final List<Link> links = new ArrayList<>();
    private final List<Fabric> fabrics = new ArrayList<>();

    MediaFan(Path dir, Outputs outputs, String... borrowers) throws Exception {
        ownerDevices.start();
        EmulatedHost alpha = world.addHost("alpha");
        Fabric fa = new EmulatedFabric(alpha);
        fabrics.add(fa);
        for (String name : borrowers) {
            EmulatedHost host = world.addHost(name);
            world.connect(alpha, host, CableProfile.UNTHROTTLED);
            Fabric fb = new EmulatedFabric(host);
            fabrics.add(fb);
            GstLender lender = new GstLender(ownerDevices, () -> 1_100_000_000L, FormatChooser.Options.DEFAULT,
                    shared);
            lender.onProblem(pr -> System.err.println("owner to " + name + ": " + pr));
            MediaPair.App ownerApp = new MediaPair.App();
            Link link = new Link(name, ownerApp, new MediaSessionHandler(ownerApp, lender,
                    new GstBorrower(b -> outputs)), outputs);
            link.borrowerDevices.start();
            Transfers.await(() -> seen(fa, name) && seen(fb, "alpha"), Duration.ofSeconds(5),
                    "alpha and " + name + " see each other");
            PeerHost toB = fa.peers().stream().filter(p -> p.deviceName().equals(name)).findFirst().orElseThrow();
            List<String> names = List.of("hwctl", "hwdata");
            Future<PairedStreams> x = Transfers.inBackground(() -> StreamPairing.pair(fa, toB, names,
                    StreamPairing.Options.DEFAULT));
            Future<PairedStreams> y = Transfers.inBackground(() -> StreamPairing.pair(fb, fb.peers().get(0), names,
                    StreamPairing.Options.DEFAULT));
            PairedStreams pa = x.get(10, TimeUnit.SECONDS);
            PairedStreams pb = y.get(10, TimeUnit.SECONDS);
            link.ownerSession = start(fa, pa, "alpha", new PeerStore(dir.resolve("a-" + name)), link.owner);
            link.borrowerSession = start(fb, pb, name, new PeerStore(dir.resolve(name)), link.borrower);
            link.ownerSession.setCatalog(ownerDevices.toCatalog());
            link.borrowerSession.setCatalog(link.borrowerDevices.toCatalog());
            Transfers.await(() -> link.ownerSession.state() == PeerSession.State.READY
                    && link.borrowerSession.state() == PeerSession.State.READY, Duration.ofSeconds(10),
                    "alpha and " + name + " ready");
            links.add(link);
        }
    }

    private static boolean seen(Fabric f, String name) {
        try {
            return f.peers().stream().anyMatch(p -> p.deviceName().equals(name));
        } catch (org.hopwire.engine.fabric.FabricException e) {
            return false;
        }
    }

    Link link(String name) {
        return links.stream().filter(l -> l.name.equals(name)).findFirst().orElseThrow();
    }

    private static PeerSession start(Fabric f, PairedStreams p, String name, PeerStore store,
                                     MediaSessionHandler handler) throws Exception {
        StreamChannel data = f.open(p.stream("hwdata").address(), Duration.ofSeconds(5));
        StreamChannel control = f.open(p.stream("hwctl").address(), Duration.ofSeconds(5));
        PeerHost peer = p.peer();
        PeerSession s = PeerSession.start(PeerSession.Config.DEFAULT, new PeerSession.Identity(f.localHostUuid(),
                name, "test"), new PeerInfo(peer.uuid(), peer.deviceName(), peer.id()), control, data, store, handler);
        handler.attach(s);
        return s;
    }

    @Override
    public void close() {
        for (Link l : links) {
            l.borrowerSession.close();
            l.ownerSession.close();
            l.borrowerDevices.close();
        }
        shared.close();
        ownerDevices.close();
        fabrics.forEach(Fabric::close);
        world.close();
    }
}
