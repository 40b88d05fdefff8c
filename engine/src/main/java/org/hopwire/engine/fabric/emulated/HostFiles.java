package org.hopwire.engine.fabric.emulated;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.ServiceInfo;

/**
 * An emulated host's state as the kernel shows it in files: sysfs under {@value #SYSFS_DEVICES}, ConfigFS under
 * {@value #CONFIGFS_STREAM} and the devices under {@value #DEV}, relative to the host's root. The fake kernel of the
 * tests writes this into a folder; {@code hopwire emulate} serves it through FUSE. One rendering for both, so the two
 * cannot drift apart.
 */
public final class HostFiles {
    public static final String SYSFS_DEVICES = "sys/bus/thunderbolt/devices";
    public static final String CONFIGFS_STREAM = "sys/kernel/config/thunderbolt/stream";
    public static final String DEV = "dev";
    /** A stream directory's attributes, in the order ConfigFS lists them. */
    public static final List<String> STREAM_ATTRIBUTES = List.of("in_hopid", "index", "out_hopid", "ring_size",
            "throttling");

    /**
     * What the host shows at one moment.
     *
     * @param files   relative path to content (the text the kernel prints, with its newline)
     * @param dirs    every directory, the empty ones and the ancestors of files included
     * @param devices the device nodes' names ({@code tbstreamN}), each also a file of {@code dev/} with no content
     */
    public record Snapshot(SortedMap<String, String> files, SortedSet<String> dirs, SortedSet<String> devices) {
        public Snapshot {
            files = Collections.unmodifiableSortedMap(files);
            dirs = Collections.unmodifiableSortedSet(dirs);
            devices = Collections.unmodifiableSortedSet(devices);
        }
    }

    private HostFiles() {
    }

    /** Renders the host as it is now. */
    public static Snapshot of(EmulatedHost host) {
        SortedMap<String, String> files = new TreeMap<>();
        SortedSet<String> dirs = new TreeSet<>();
        SortedSet<String> devices = new TreeSet<>();
        addDir(dirs, SYSFS_DEVICES);
        addDir(dirs, CONFIGFS_STREAM);
        addDir(dirs, DEV);
        sysfs(host, files);
        configFs(host, files, dirs, devices);
        for (String f : files.keySet()) {
            addDir(dirs, parent(f));
        }
        return new Snapshot(files, dirs, devices);
    }

    private static void sysfs(EmulatedHost host, SortedMap<String, String> files) {
        List<UUID> uuids = host.domainUuids();
        for (int domain = 0; domain < uuids.size(); domain++) {
            // Each host router is its own domain, with this host's UUID in that domain.
            put(files, "domain" + domain + "/uevent", "DEVTYPE=thunderbolt_domain");
            put(files, "domain" + domain + "/security", "user");
            String router = domain + "-0";
            put(files, router + "/uevent", "DEVTYPE=thunderbolt_device");
            put(files, router + "/unique_id", uuids.get(domain).toString());
            put(files, router + "/device_name", host.name());
            put(files, router + "/authorized", "1");
        }
        for (PeerHost p : host.xdomains()) {
            String d = p.id() + "/";
            put(files, d + "uevent", "DEVTYPE=thunderbolt_xdomain");
            put(files, d + "device_name", p.deviceName());
            put(files, d + "vendor_name", p.vendorName());
            put(files, d + "unique_id", p.uuid().toString());
            put(files, d + "rx_speed", p.rxSpeedGbps() + ".0 Gb/s");
            put(files, d + "tx_speed", p.txSpeedGbps() + ".0 Gb/s");
            put(files, d + "rx_lanes", Integer.toString(p.rxLanes()));
            put(files, d + "tx_lanes", Integer.toString(p.txLanes()));
            if (p.maxHopId() > 0) {
                put(files, d + "maxhopid", Integer.toString(p.maxHopId()));
            }
            for (ServiceInfo s : p.services()) {
                String sd = s.name() + "/";
                put(files, sd + "uevent", "DEVTYPE=thunderbolt_service");
                put(files, sd + "key", s.key());
                put(files, sd + "prtcid", Integer.toString(s.protocolId()));
                put(files, sd + "prtcvers", Integer.toString(s.protocolVersion()));
                put(files, sd + "prtcrevs", Integer.toString(s.protocolRevision()));
                put(files, sd + "prtcstns", String.format("0x%08x", s.protocolSettings()));
            }
        }
    }

    private static void put(SortedMap<String, String> files, String sysfsPath, String text) {
        files.put(SYSFS_DEVICES + "/" + sysfsPath, text + "\n");
    }

    private static void configFs(EmulatedHost host, SortedMap<String, String> files, SortedSet<String> dirs,
                                 SortedSet<String> devices) {
        for (String g : host.groupNames()) {
            String gd = CONFIGFS_STREAM + "/" + g;
            dirs.add(gd);
            List<String> names;
            try {
                names = host.streamNames(g);
            } catch (FabricException e) {
                continue; // removed since the group was listed
            }
            for (String n : names) {
                String sd = gd + "/" + n;
                dirs.add(sd);
                try {
                    for (String attr : STREAM_ATTRIBUTES) {
                        files.put(sd + "/" + attr, host.readAttribute(g, n, attr) + "\n");
                    }
                    devices.add("tbstream" + host.readAttribute(g, n, "index"));
                } catch (FabricException e) {
                    // removed while being read: the next snapshot leaves it out
                    dirs.remove(sd);
                    STREAM_ATTRIBUTES.forEach(a -> files.remove(sd + "/" + a));
                }
            }
        }
    }

    private static void addDir(SortedSet<String> dirs, String dir) {
        for (String d = dir; d != null && !d.isEmpty(); d = parent(d)) {
            if (!dirs.add(d)) {
                return;
            }
        }
    }

    /** The parent of a relative path, or null at the top. */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? null : path.substring(0, slash);
    }
}
