package org.hopwire.engine.fabric;

import org.hopwire.engine.testbed.FabricTestbed;
import org.hopwire.engine.testbed.KernelOverFakeTreeTestbed;

/** The conformance suite on the kernel adapter, over a fake sysfs/ConfigFS tree with an emulated kernel behind. */
class KernelFabricConformanceTest extends FabricConformanceTest {
    @Override
    protected FabricTestbed createTestbed() {
        return new KernelOverFakeTreeTestbed();
    }
}
