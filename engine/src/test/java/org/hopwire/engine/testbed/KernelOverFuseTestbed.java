package org.hopwire.engine.testbed;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.hopwire.engine.emulator.EmulatorFs;
import org.hopwire.engine.emulator.fuse.FuseServer;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.StreamAddress;
import org.hopwire.engine.fabric.emulated.EmulatedHost;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.hopwire.engine.fabric.kernel.ConfigFs;
import org.hopwire.engine.fabric.kernel.DeviceOpener;
import org.hopwire.engine.fabric.kernel.KernelFabric;
import org.hopwire.engine.fabric.kernel.KernelPaths;

/**
 * Two {@link KernelFabric}s with their real system calls, each pointed at one host's root in a FUSE mount of the
 * emulated world ({@code hopwire emulate}'s file system): every mkdir, attribute write, open, read, write and poll
 * goes through the kernel to the emulator and back. Skipped where this machine cannot mount FUSE.
 */
public final class KernelOverFuseTestbed extends EmulatedTestbed {
    /** Filled while the superclass constructor runs, hence no initialisers. */
    private Path mount;
    private FuseServer server;
    private EmulatorFs fs;

    public KernelOverFuseTestbed() {
        super();
    }

    public KernelOverFuseTestbed(EmulatedWorld.Settings settings) {
        super(settings);
    }

    /** Skips the calling test with the reason when this machine cannot serve FUSE. */
    public static void assumeFuse() {
        Optional<String> why = FuseServer.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "FUSE: " + why.orElse(""));
    }

    @Override
    protected Fabric fabricFor(EmulatedHost host, String label) {
        try {
            if (server == null) {
                mount = Files.createTempDirectory("hopwire-fuse-");
                fs = new EmulatorFs(Map.of("alpha", hostA, "beta", hostB), Map.of("alpha-beta", cable),
                        Optional.empty());
                server = FuseServer.mount(mount, fs, "hopwire-test");
            }
            return new KernelFabric(KernelPaths.under(root(host)), ConfigFs.DIRECT, DeviceOpener.DIRECT,
                    KernelOverFakeTreeTestbed.POLL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder that is {@code /} for a host. */
    public Path root(EmulatedHost host) {
        return mount.resolve(host.name());
    }

    public Path mount() {
        return mount;
    }

    private Path streamDir(EmulatedHost host, StreamAddress address) {
        return KernelPaths.under(root(host)).configFsStream().resolve(address.service()).resolve(address.name());
    }

    @Override
    public void rmdirOnA(StreamAddress address) throws Exception {
        Files.delete(streamDir(hostA, address));
    }

    @Override
    public void rmdirOnB(StreamAddress address) throws Exception {
        Files.delete(streamDir(hostB, address));
    }

    @Override
    public List<String> groupsOnA() throws IOException {
        try (Stream<Path> s = Files.list(KernelPaths.under(root(hostA)).configFsStream())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void close() {
        super.close();
        if (server != null) {
            server.close();
            fs.close();
            try {
                Files.deleteIfExists(mount);
            } catch (IOException e) {
                // a temporary folder left behind is not worth failing a test for
            }
        }
    }
}
