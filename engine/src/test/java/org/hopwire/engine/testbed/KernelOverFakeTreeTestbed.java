package org.hopwire.engine.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.emulated.EmulatedHost;
import org.hopwire.engine.fabric.kernel.KernelFabric;

/**
 * Two {@link KernelFabric}s, each over a fake sysfs/ConfigFS tree in a temporary folder, with emulated hosts
 * playing the kernel behind the trees.
 */
public final class KernelOverFakeTreeTestbed extends EmulatedTestbed {
    /** Short, so tests waiting for sysfs changes do not wait long. */
    public static final Duration POLL = Duration.ofMillis(20);

    /** Filled while the superclass constructor runs, hence no initialiser (it would run after and reset it). */
    private List<FakeKernel> kernels;

    public KernelOverFakeTreeTestbed() {
        super();
    }

    public KernelOverFakeTreeTestbed(org.hopwire.engine.fabric.emulated.EmulatedWorld.Settings settings) {
        super(settings);
    }

    @Override
    protected Fabric fabricFor(EmulatedHost host, String label) {
        try {
            if (kernels == null) {
                kernels = new ArrayList<>();
            }
            Path root = Files.createTempDirectory("hopwire-fake-kernel-" + label + "-");
            FakeKernel kernel = new FakeKernel(host, root);
            kernels.add(kernel);
            return new KernelFabric(kernel.paths(), kernel, kernel, POLL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fake kernel under A. */
    public FakeKernel kernelA() {
        return kernels.get(0);
    }

    /** The fake kernel under B. */
    public FakeKernel kernelB() {
        return kernels.get(1);
    }

    @Override
    public void rmdirOnA(org.hopwire.engine.fabric.StreamAddress address) throws Exception {
        kernelA().rmdir(kernelA().paths().configFsStream().resolve(address.service()).resolve(address.name()));
    }

    @Override
    public void rmdirOnB(org.hopwire.engine.fabric.StreamAddress address) throws Exception {
        kernelB().rmdir(kernelB().paths().configFsStream().resolve(address.service()).resolve(address.name()));
    }

    @Override
    public List<String> groupsOnA() throws IOException {
        try (Stream<Path> s = Files.list(kernelA().paths().configFsStream())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void close() {
        kernels.forEach(FakeKernel::detach);
        super.close();
        for (FakeKernel k : kernels) {
            Path root = k.paths().dev().getParent();
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // a temporary folder left behind is not worth failing a test for
            }
        }
    }
}
