package org.hopwire.engine.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.kernel.ConfigFs;
import org.hopwire.engine.fabric.kernel.KernelFabric;
import org.hopwire.engine.fabric.kernel.KernelPaths;

/**
 * The real driver on this machine, towards the first peer host on the cable. The peer's side is not in this
 * process, so only cases that need one host run here.
 */
public final class HardwareTestbed implements FabricTestbed {
    private final KernelFabric a;
    private final PeerHost peer;

    private HardwareTestbed(KernelFabric a, PeerHost peer) {
        this.a = a;
        this.peer = peer;
    }

    /** Why no real USB4STREAM link can be tested here, or empty when one can. */
    public static Optional<String> unavailableReason() {
        Optional<String> why = KernelFabric.unavailableReason(KernelPaths.SYSTEM);
        if (why.isPresent()) {
            return why;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("the hardware suite changes ConfigFS and must run as root");
        }
        try (KernelFabric f = new KernelFabric()) {
            if (f.peers().stream().noneMatch(p -> p.streamService().isPresent())) {
                return Optional.of("no peer host with a USB4STREAM service is on the cable");
            }
        }
        return Optional.empty();
    }

    public static HardwareTestbed open() throws FabricException {
        KernelFabric f = new KernelFabric();
        PeerHost peer = f.peers().stream().filter(p -> p.streamService().isPresent()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no peer host with a USB4STREAM service"));
        return new HardwareTestbed(f, peer);
    }

    @Override
    public Fabric a() {
        return a;
    }

    @Override
    public Fabric b() {
        return null;
    }

    @Override
    public String serviceOnA() {
        return peer.streamService().orElseThrow().name();
    }

    @Override
    public String serviceOnB() {
        throw new UnsupportedOperationException("the peer host is not in this process");
    }

    @Override
    public String nameOfB() {
        return peer.deviceName();
    }

    @Override
    public boolean controlsCable() {
        return false;
    }

    @Override
    public void unplug() {
        throw new UnsupportedOperationException("a real cable cannot be pulled by a test");
    }

    @Override
    public void plug() {
        throw new UnsupportedOperationException("a real cable cannot be plugged by a test");
    }

    @Override
    public void rmdirOnA(org.hopwire.engine.fabric.StreamAddress address) throws IOException {
        ConfigFs.DIRECT.rmdir(KernelPaths.SYSTEM.configFsStream().resolve(address.service()).resolve(address.name()));
    }

    @Override
    public void rmdirOnB(org.hopwire.engine.fabric.StreamAddress address) {
        throw new UnsupportedOperationException("the peer host is not in this process");
    }

    @Override
    public java.time.Duration announcementTime() {
        // The driver: 50 ms to send, 100 ms to the peer's read, a second read about 1 s later.
        return java.time.Duration.ofMillis(1500);
    }

    @Override
    public List<String> groupsOnA() throws IOException {
        Path root = KernelPaths.SYSTEM.configFsStream();
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void close() {
        a.close();
    }
}
