package org.hopwire.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.emulated.EmulatedFabric;
import org.junit.jupiter.api.Test;

class FabricsTest {
    @Test
    void shouldOfferADemoLaptopWithPairedStreamsOnTheEmulatedFabric() throws Exception {
        Fabric fabric = Fabrics.open(Fabrics.Choice.EMULATED, "desk");
        EmulatedFabric emulated = (EmulatedFabric) fabric;
        try {
            List<PeerHost> peers = fabric.peers();
            assertEquals(List.of(Fabrics.DEMO_PEER_NAME), peers.stream().map(PeerHost::deviceName).toList());
            List<StreamInfo> streams = fabric.streams();
            assertEquals(Fabrics.DEMO_STREAMS, streams.stream().map(s -> s.address().name()).toList());
            assertTrue(streams.stream().allMatch(s -> s.hasHopIds() && s.attached()), streams.toString());
        } finally {
            fabric.close();
        }
        assertTrue(emulated.host().groupNames().isEmpty(), "closing the demo removes what it made");
    }

    @Test
    void shouldNameTheChoicesItKnows() {
        assertEquals(Fabrics.Choice.KERNEL, Fabrics.Choice.parse(" Kernel "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fabrics.Choice.parse("usb"));
        assertTrue(e.getMessage().contains("auto, kernel or emulated"));
    }
}
