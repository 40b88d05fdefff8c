package org.hopwire.engine.fabric;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;

import org.hopwire.engine.testbed.FabricTestbed;
import org.hopwire.engine.testbed.HardwareTestbed;
import org.junit.jupiter.api.Tag;

/**
 * The conformance suite on a real USB4STREAM link: run with {@code ./run-tests -Dhopwire.excludedGroups=long
 * -Dgroups=hardware} as root on a host with a peer on the cable. Skipped, with the reason, anywhere else.
 */
@Tag("hardware")
class HardwareFabricConformanceTest extends FabricConformanceTest {
    @Override
    protected FabricTestbed createTestbed() throws Exception {
        Optional<String> why = HardwareTestbed.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "no USB4STREAM hardware: " + why.orElse(""));
        return HardwareTestbed.open();
    }
}
