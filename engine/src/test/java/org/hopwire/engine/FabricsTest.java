package org.hopwire.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.emulated.EmulatedFabric;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.Test;

class FabricsTest {
    @Test
    void shouldOfferADemoLaptopOnTheEmulatedFabricAndCleanUpOnClose() throws Exception {
        Fabric fabric = Fabrics.open(Fabrics.Choice.EMULATED, "desk");
        EmulatedFabric emulated = (EmulatedFabric) fabric;
        try {
            List<PeerHost> peers = fabric.peers();
            assertEquals(List.of(Fabrics.DEMO_PEER_NAME), peers.stream().map(PeerHost::deviceName).toList());
            assertEquals(DemoFabric.DEMO_PEER_UUID, peers.get(0).uuid());
            assertTrue(peers.get(0).streamService().isPresent(), "the demo peer offers USB4STREAM");
            fabric.createStream(peers.get(0).streamService().get().name(), org.hopwire.engine.fabric.StreamSpec.automatic("probe"));
            assertEquals(1, fabric.streams().size());
        } finally {
            fabric.close();
        }
        assertTrue(emulated.host().groupNames().isEmpty(), "closing the demo removes what it made");
    }

    @Test
    void shouldKeepTheLocalUuidItIsGivenSoPairingsSurviveARestart() throws Exception {
        java.util.UUID mine = java.util.UUID.randomUUID();
        try (DemoFabric demo = DemoFabric.create("desk", mine)) {
            assertEquals(mine, demo.local().localHostUuid());
            assertEquals(mine, demo.demo().peers().get(0).uuid());
            demo.cable().unplug();
            Transfers.await(() -> demo.local().peers().isEmpty(), java.time.Duration.ofSeconds(5), "unplug seen");
            demo.cable().plug();
            Transfers.await(() -> demo.local().peers().size() == 1, java.time.Duration.ofSeconds(5), "replug seen");
        }
    }

    @Test
    void shouldNameTheChoicesItKnows() {
        assertEquals(Fabrics.Choice.KERNEL, Fabrics.Choice.parse(" Kernel "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fabrics.Choice.parse("usb"));
        assertTrue(e.getMessage().contains("auto, kernel or emulated"));
    }
}
