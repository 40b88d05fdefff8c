package org.hopwire.engine;

import java.util.Objects;
import java.util.UUID;

import org.hopwire.engine.fabric.emulated.EmulatedCable;
import org.hopwire.engine.fabric.emulated.EmulatedFabric;
import org.hopwire.engine.fabric.emulated.EmulatedHost;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;

/**
 * The emulated demo: this host and {@value Fabrics#DEMO_PEER_NAME} joined by an emulated cable, each with its own
 * fabric. The app runs on {@link #local()}; an emulated peer inside the app runs on {@link #demo()}. Nothing is
 * paired yet: the sessions set up their own streams, as they do on the driver.
 */
public final class DemoFabric implements AutoCloseable {
    /** The demo peer's UUID: fixed, so a pairing with it is remembered across launches. */
    public static final UUID DEMO_PEER_UUID = UUID.nameUUIDFromBytes("hopwire demo laptop".getBytes(
            java.nio.charset.StandardCharsets.UTF_8));

    private final EmulatedWorld world;
    private final EmulatedFabric local;
    private final EmulatedFabric demo;
    private final EmulatedCable cable;

    private DemoFabric(String localHostName, UUID localUuid) {
        world = new EmulatedWorld();
        EmulatedHost here = world.addHost(localHostName, Objects.requireNonNull(localUuid, "localUuid"));
        EmulatedHost there = world.addHost(Fabrics.DEMO_PEER_NAME, DEMO_PEER_UUID);
        cable = world.connect(here, there);
        demo = new EmulatedFabric(there);
        // Closing the app's fabric closes the whole world, the demo peer's fabric with it.
        local = new EmulatedFabric(here, () -> {
            demo.close();
            world.close();
        });
    }

    /** A demo world; {@code localUuid} is this host's (kept in the settings, so pairings survive a restart). */
    public static DemoFabric create(String localHostName, UUID localUuid) {
        return new DemoFabric(localHostName, localUuid);
    }

    /** This host's fabric: the one the app shows. Closing it closes the demo. */
    public EmulatedFabric local() {
        return local;
    }

    /** The demo peer's fabric. */
    public EmulatedFabric demo() {
        return demo;
    }

    /** The emulated cable, to pull and plug back (the demo menu, tests). */
    public EmulatedCable cable() {
        return cable;
    }

    @Override
    public void close() {
        local.close();
    }
}
