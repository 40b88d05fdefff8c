package org.hopwire.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.emulated.EmulatedFabric;
import org.hopwire.engine.fabric.emulated.EmulatedHost;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.hopwire.engine.fabric.kernel.KernelFabric;
import org.hopwire.engine.fabric.kernel.KernelPaths;
import org.hopwire.engine.pairing.PairedStreams;
import org.hopwire.engine.pairing.StreamPairing;

/** Chooses and opens the fabric the app runs on: the real driver when there is one, else the emulated demo. */
public final class Fabrics {
    /** The emulated peer a first-time user finds on the demo fabric. */
    public static final String DEMO_PEER_NAME = "Demo laptop";
    /** The control and data stream names the demo pairs; the protocol specification will fix the final ones. */
    public static final List<String> DEMO_STREAMS = List.of("hwctl", "hwdata");

    /** Which fabric to run on. */
    public enum Choice {
        /** The kernel fabric when a USB4 controller and the driver are present, else the emulated demo. */
        AUTO,
        /** The real driver; fails with a message saying what is missing. */
        KERNEL,
        /** The emulated demo fabric, whatever the machine has. */
        EMULATED;

        /** Parses {@code auto}, {@code kernel} or {@code emulated}, in any case. */
        public static Choice parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown fabric '" + text + "': use auto, kernel or emulated", e);
            }
        }
    }

    private Fabrics() {
    }

    /** Why the real driver cannot be used on this machine, or empty when it can. */
    public static Optional<String> kernelUnavailableReason() {
        return KernelFabric.unavailableReason(KernelPaths.SYSTEM);
    }

    /** Opens the chosen fabric. */
    public static Fabric open(Choice choice, String localHostName) throws FabricException {
        Optional<String> why = choice == Choice.EMULATED ? Optional.empty() : kernelUnavailableReason();
        return switch (choice) {
            case EMULATED -> emulatedDemo(localHostName);
            case AUTO -> why.isEmpty() ? new KernelFabric() : emulatedDemo(localHostName);
            case KERNEL -> {
                if (why.isPresent()) {
                    throw new FabricException(Errno.ENODEV, why.get()
                            + ". To try Hopwire without USB4 hardware, choose the emulated fabric.");
                }
                yield new KernelFabric();
            }
        };
    }

    /**
     * A world of two emulated hosts joined by an unthrottled cable, this host and {@value #DEMO_PEER_NAME}, with the
     * {@link #DEMO_STREAMS} paired between them. Closing the returned fabric closes the whole world.
     */
    public static Fabric emulatedDemo(String localHostName) throws FabricException {
        EmulatedWorld world = new EmulatedWorld();
        EmulatedHost local = world.addHost(localHostName);
        EmulatedHost demo = world.addHost(DEMO_PEER_NAME);
        world.connect(local, demo);
        EmulatedFabric demoFabric = new EmulatedFabric(demo);
        List<AutoCloseable> owned = new ArrayList<>();
        owned.add(world);
        owned.add(demoFabric);
        EmulatedFabric localFabric = new EmulatedFabric(local, () -> {
            for (AutoCloseable c : owned) {
                c.close();
            }
        });
        ExecutorService both = Executors.newFixedThreadPool(2);
        try {
            Future<PairedStreams> demoSide = both.submit(() -> StreamPairing.pair(demoFabric,
                    only(demoFabric.peers()), DEMO_STREAMS, StreamPairing.Options.DEFAULT));
            Future<PairedStreams> localSide = both.submit(() -> StreamPairing.pair(localFabric,
                    only(localFabric.peers()), DEMO_STREAMS, StreamPairing.Options.DEFAULT));
            demoSide.get();
            localSide.get();
            return localFabric;
        } catch (ExecutionException e) {
            localFabric.close();
            if (e.getCause() instanceof FabricException fe) {
                throw fe;
            }
            throw new FabricException(Errno.EIO, "the emulated demo could not pair its streams: " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            localFabric.close();
            throw new FabricException(Errno.EIO, "interrupted while setting up the emulated demo", e);
        } finally {
            both.shutdownNow();
        }
    }

    private static PeerHost only(List<PeerHost> peers) {
        return peers.get(0);
    }
}
