package org.hopwire.engine.emulator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.emulator.fuse.FuseServer;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.fabric.emulated.EmulatedCable;
import org.hopwire.engine.fabric.emulated.EmulatedHost;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;

/**
 * {@code hopwire emulate}: emulated hosts on emulated cables, served as files on a folder, so separate programs (two
 * Hopwire processes, {@code dd}, {@code gst-launch-1.0}) drive them as they would drive the kernel. Each host's root
 * is {@code <mount>/<host>}; consecutive hosts share a cable, {@code <mount>/cables/<a>-<b>}.
 */
public final class Emulator implements AutoCloseable {
    /**
     * @param mount       an empty folder (made if missing)
     * @param hosts       two or more host names, connected in a chain
     * @param profile     the cables' speed
     * @param settings    the driver's timings and limits
     * @param deviceGroup the gid device nodes get a moment after they appear, as a udev rule gives it
     * @param user        the uid that may do what root may in ConfigFS, open the device nodes and pull the cables,
     *                    so the person's own Hopwire runs without root (on hardware, the helper and the udev rule's
     *                    uaccess tag give it that); empty: root only, as the kernel has it
     */
    public record Options(Path mount, List<String> hosts, CableProfile profile, EmulatedWorld.Settings settings,
                          Optional<Integer> deviceGroup, Optional<Integer> user) {
        public Options(Path mount, List<String> hosts, CableProfile profile, EmulatedWorld.Settings settings,
                       Optional<Integer> deviceGroup) {
            this(mount, hosts, profile, settings, deviceGroup, Optional.empty());
        }

        public Options {
            if (hosts.size() < 2) {
                throw new IllegalArgumentException("the emulator needs at least two hosts, got " + hosts);
            }
            if (hosts.stream().distinct().count() != hosts.size()) {
                throw new IllegalArgumentException("host names must differ: " + hosts);
            }
            for (String h : hosts) {
                if (!h.matches("[a-z][a-z0-9_]{0,30}") || h.equals("cables")) {
                    throw new IllegalArgumentException("'" + h + "' cannot name a host: use lowercase letters,"
                            + " digits and _ (and not 'cables')");
                }
            }
        }
    }

    private final EmulatedWorld world;
    private final Map<String, EmulatedHost> hosts;
    private final Map<String, EmulatedCable> cables;
    private final EmulatorFs fs;
    private final FuseServer server;

    private Emulator(EmulatedWorld world, Map<String, EmulatedHost> hosts, Map<String, EmulatedCable> cables,
                     EmulatorFs fs, FuseServer server) {
        this.world = world;
        this.hosts = hosts;
        this.cables = cables;
        this.fs = fs;
        this.server = server;
    }

    /** Makes the hosts and cables and mounts them; on failure nothing is left mounted. */
    public static Emulator start(Options o) throws IOException {
        Optional<String> why = FuseServer.unavailableReason();
        if (why.isPresent()) {
            throw new IOException("cannot serve the emulated fabric as files: " + why.get());
        }
        FuseServer.prepareMountPoint(o.mount());
        EmulatedWorld world = new EmulatedWorld(o.settings());
        Map<String, EmulatedHost> hosts = new LinkedHashMap<>();
        Map<String, EmulatedCable> cables = new LinkedHashMap<>();
        EmulatedHost previous = null;
        for (String name : o.hosts()) {
            EmulatedHost h = world.addHost(name);
            hosts.put(name, h);
            if (previous != null) {
                cables.put(previous.name() + "-" + name, world.connect(previous, h, o.profile()));
            }
            previous = h;
        }
        EmulatorFs fs = new EmulatorFs(hosts, cables, o.deviceGroup(), o.user());
        try {
            return new Emulator(world, hosts, cables, fs, FuseServer.mount(o.mount(), fs, "hopwire"));
        } catch (IOException | RuntimeException e) {
            fs.close();
            world.close();
            throw e;
        }
    }

    public Path mount() {
        return server.dir();
    }

    /** The folder a program uses as this host's {@code /}. */
    public Path root(String host) {
        if (!hosts.containsKey(host)) {
            throw new IllegalArgumentException("no host " + host);
        }
        return server.dir().resolve(host);
    }

    public EmulatedHost host(String name) {
        return hosts.get(name);
    }

    public Map<String, EmulatedCable> cables() {
        return cables;
    }

    public EmulatedWorld world() {
        return world;
    }

    /** Waits until the mount ends: {@link #close}, or an unmount from outside. */
    public boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return server.awaitEnd(timeout, unit);
    }

    /** Unmounts, closes every open device and ends the emulated world. */
    @Override
    public void close() {
        server.close();
        fs.close();
        world.close();
    }
}
