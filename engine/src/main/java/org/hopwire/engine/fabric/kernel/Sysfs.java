package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.ServiceInfo;

/**
 * Reads the Thunderbolt world from {@code /sys/bus/thunderbolt/devices}: XDomain peers, their services, and this
 * host's own router.
 *
 * <p>Entries may come and go while it reads (a cable pulled mid-look); an entry that cannot be read whole is left
 * out of this look and found on the next.
 */
final class Sysfs {
    private static final Pattern ROUTER = Pattern.compile("(\\d+)-([0-9a-fA-F]+)");
    private static final Pattern SERVICE = Pattern.compile("(\\d+-[0-9a-fA-F]+)\\.(\\d+)");
    private static final Pattern LEADING_NUMBER = Pattern.compile("\\s*(0x[0-9a-fA-F]+|-?\\d+)");

    private final Path devices;

    Sysfs(Path devices) {
        this.devices = devices;
    }

    /** Whether the Thunderbolt bus exists at all: a controller and the thunderbolt driver. */
    boolean busPresent() {
        return Files.isDirectory(devices);
    }

    /** This host's UUID in its lowest-numbered domain: the {@code unique_id} of that domain's router. */
    Optional<UUID> hostUuid() {
        for (String name : names()) {
            Matcher m = ROUTER.matcher(name);
            if (m.matches() && Long.parseLong(m.group(2), 16) == 0) {
                Optional<UUID> uuid = hostUuid(Integer.parseInt(m.group(1)));
                if (uuid.isPresent()) {
                    return uuid;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * This host's UUID in one domain, {@code <domain>-0/unique_id}: how a peer on that domain knows this host. A
     * machine with two host routers has a different UUID in each.
     */
    Optional<UUID> hostUuid(int domain) {
        return read(devices.resolve(domain + "-0").resolve("unique_id")).flatMap(Sysfs::uuid);
    }

    /** The peer hosts on the cable now. */
    List<PeerHost> xdomains() {
        List<String> names = names();
        TreeMap<String, List<ServiceInfo>> servicesByHost = new TreeMap<>();
        for (String name : names) {
            Matcher m = SERVICE.matcher(name);
            if (m.matches()) {
                service(name).ifPresent(s -> servicesByHost.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(s));
            }
        }
        List<PeerHost> peers = new ArrayList<>();
        for (String name : names) {
            Matcher m = ROUTER.matcher(name);
            if (!m.matches() || Long.parseLong(m.group(2), 16) == 0) {
                continue;
            }
            Path dir = devices.resolve(name);
            Optional<String> devtype = devtype(dir);
            // Without uevent, a router with services can only be a host: devices offer none.
            boolean xdomain = devtype.map("thunderbolt_xdomain"::equals)
                    .orElse(servicesByHost.containsKey(name));
            if (!xdomain) {
                continue;
            }
            Optional<UUID> uuid = read(dir.resolve("unique_id")).flatMap(Sysfs::uuid);
            if (uuid.isEmpty()) {
                continue;
            }
            peers.add(new PeerHost(name, read(dir.resolve("device_name")).orElse(""),
                    read(dir.resolve("vendor_name")).orElse(""), uuid.get(),
                    number(dir.resolve("rx_speed")), number(dir.resolve("tx_speed")),
                    number(dir.resolve("rx_lanes")), number(dir.resolve("tx_lanes")),
                    read(dir.resolve("authorized")).map(v -> !v.equals("0")).orElse(true),
                    servicesByHost.getOrDefault(name, List.of()), number(dir.resolve("maxhopid"))));
        }
        return peers;
    }

    /** Whether a service device exists, which is when the driver attaches a ConfigFS group of that name. */
    boolean servicePresent(String service) {
        return Files.isDirectory(devices.resolve(service));
    }

    private Optional<ServiceInfo> service(String name) {
        Path dir = devices.resolve(name);
        return read(dir.resolve("key")).map(key -> new ServiceInfo(name, key, number(dir.resolve("prtcid")),
                number(dir.resolve("prtcvers")), number(dir.resolve("prtcrevs")), number(dir.resolve("prtcstns"))));
    }

    private List<String> names() {
        try (Stream<Path> s = Files.list(devices)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Optional<String> devtype(Path dir) {
        return read(dir.resolve("uevent")).flatMap(text -> text.lines()
                .filter(l -> l.startsWith("DEVTYPE="))
                .map(l -> l.substring("DEVTYPE=".length()).trim())
                .findFirst());
    }

    /** A sysfs attribute's text without its trailing newline; empty when it is missing or unreadable. */
    static Optional<String> read(Path attribute) {
        try {
            return Optional.of(new String(Files.readAllBytes(attribute), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The leading number of an attribute ({@code "20.0 Gb/s"} reads 20, a HopID not yet applied {@code -1}), or 0. */
    static int number(Path attribute) {
        return read(attribute).map(Sysfs::leadingNumber).orElse(0);
    }

    static int leadingNumber(String text) {
        Matcher m = LEADING_NUMBER.matcher(text);
        if (!m.lookingAt()) {
            return 0;
        }
        String n = m.group(1);
        try {
            return n.startsWith("0x") ? Integer.parseInt(n.substring(2), 16) : Integer.parseInt(n);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Optional<UUID> uuid(String text) {
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
