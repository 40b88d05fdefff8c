package org.hopwire.app.ui.fabric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.hopwire.engine.fabric.StreamSpec;
import org.hopwire.engine.fabric.emulated.EmulatedCable;
import org.hopwire.engine.fabric.emulated.EmulatedFabric;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The view-model as a plain object: no toolkit, the UI "thread" is whoever calls. */
class FabricViewModelTest {
    private EmulatedWorld world;
    private EmulatedCable cable;
    private EmulatedFabric fabric;
    private FabricViewModel model;

    @BeforeEach
    void setUp() {
        world = new EmulatedWorld();
        var here = world.addHost("here");
        var there = world.addHost("Demo laptop");
        cable = world.connect(here, there);
        fabric = new EmulatedFabric(here, world);
        model = new FabricViewModel(fabric, Runnable::run);
    }

    @AfterEach
    void tearDown() {
        model.close();
        fabric.close();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void shouldListThePeerWithItsLinkAndService() {
        assertEquals(1, model.hosts().size());
        HostRow row = model.hosts().get(0);
        assertEquals("Demo laptop", row.name());
        assertEquals("0-1", row.id());
        assertEquals("2 × 20 Gb/s", row.link(), "written as on the link panel");
        assertEquals(8, row.shortUuid().length());
        assertTrue(row.streams().startsWith("yes"), row.streams());
    }

    @Test
    void shouldFollowThePeerLeavingAndComingBack() throws Exception {
        cable.unplug();
        await(() -> model.hosts().isEmpty(), "the peer row to go");
        cable.plug();
        await(() -> model.hosts().size() == 1, "the peer row to come back");
    }

    @Test
    void shouldShowStreamsAsTheyAreCreated() throws Exception {
        fabric.createStream("0-1.0", StreamSpec.manual("ctl", 9, 10));
        // The row may first show the folder alone: mkdir comes before the HopIDs are written, and a refresh
        // can fall between them. It must then follow to the written HopIDs.
        await(() -> model.streams().size() == 1 && model.streams().get(0).hopIds().equals("9 / 10"),
                "the stream row with its HopIDs");
        StreamRow row = model.streams().get(0);
        assertEquals(List.of("0-1.0", "ctl", "/dev/tbstream0", "9 / 10", "attached"),
                List.of(row.service(), row.name(), row.device(), row.hopIds(), row.state()));
    }
}
