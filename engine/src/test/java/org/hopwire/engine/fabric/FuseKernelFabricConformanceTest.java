package org.hopwire.engine.fabric;

import org.hopwire.engine.testbed.FabricTestbed;
import org.hopwire.engine.testbed.KernelOverFuseTestbed;

/**
 * The conformance suite on the kernel adapter with its real system calls, against {@code hopwire emulate}'s files:
 * the same suite, through the kernel's VFS and FUSE instead of a tree the test plays.
 */
class FuseKernelFabricConformanceTest extends FabricConformanceTest {
    @Override
    protected FabricTestbed createTestbed() {
        KernelOverFuseTestbed.assumeFuse();
        return new KernelOverFuseTestbed();
    }
}
