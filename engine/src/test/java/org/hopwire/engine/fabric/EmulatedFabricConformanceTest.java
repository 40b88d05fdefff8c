package org.hopwire.engine.fabric;

import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.FabricTestbed;

/** The conformance suite on the emulated fabric. */
class EmulatedFabricConformanceTest extends FabricConformanceTest {
    @Override
    protected FabricTestbed createTestbed() {
        return new EmulatedTestbed();
    }
}
