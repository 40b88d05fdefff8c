package org.hopwire.app.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * How the command line names peers and devices. A peer is named by its full UUID (which always wins: it is the
 * peer's identity), a UUID prefix of at least 4 hex digits, its cable id ({@code 0-1}) or its name (any case); a
 * device by its id or its name (any case). A name that fits more than one is refused with the candidates listed, so
 * nothing is ever done to a peer picked only by a name another peer shares.
 */
public final class Names {
    /** A peer as names see it. */
    public record PeerRef(UUID uuid, String name, String cableId) {
    }

    /** A device as names see it. */
    public record DeviceRef(String id, String name) {
    }

    private Names() {
    }

    /** The one peer {@code given} names among {@code peers}; else a {@link ExitCode#NOT_FOUND} error. */
    public static PeerRef peer(String given, List<PeerRef> peers, String where) {
        String g = given.trim();
        if (g.isEmpty()) {
            throw new CliException(ExitCode.USAGE, "a peer's name, UUID or cable id is needed");
        }
        try {
            UUID full = UUID.fromString(g);
            for (PeerRef p : peers) {
                if (p.uuid().equals(full)) {
                    return p;
                }
            }
        } catch (IllegalArgumentException notAUuid) {
            // a name, a prefix or a cable id
        }
        String lower = g.toLowerCase(Locale.ROOT);
        boolean prefix = lower.matches("[0-9a-f-]{4,}");
        Map<UUID, PeerRef> fits = new LinkedHashMap<>();
        for (PeerRef p : peers) {
            if (p.name().equalsIgnoreCase(g) || (p.cableId() != null && p.cableId().equals(g))
                    || (prefix && p.uuid().toString().startsWith(lower))) {
                fits.put(p.uuid(), p);
            }
        }
        if (fits.size() == 1) {
            return fits.values().iterator().next();
        }
        if (fits.isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, "no peer '" + g + "' " + where + ". "
                    + (peers.isEmpty() ? "There is none: is the cable plugged in and Hopwire running on the other"
                    + " host?" : "Known: " + peers.stream().map(Names::describe).collect(Collectors.joining(", ")))
                    + " ('hopwire peers' lists them).");
        }
        throw new CliException(ExitCode.NOT_FOUND, "'" + g + "' fits more than one peer: "
                + fits.values().stream().map(p -> describe(p) + " " + p.uuid()).collect(Collectors.joining(", "))
                + ". Name it by its UUID (or a longer UUID prefix) instead.");
    }

    /** The one device {@code given} names among {@code devices}; else a {@link ExitCode#NOT_FOUND} error. */
    public static DeviceRef device(String given, List<DeviceRef> devices, String where) {
        String g = given.trim();
        for (DeviceRef d : devices) {
            if (d.id().equals(g)) {
                return d;
            }
        }
        List<DeviceRef> fits = new ArrayList<>();
        for (DeviceRef d : devices) {
            if (d.id().equalsIgnoreCase(g) || d.name().equalsIgnoreCase(g)) {
                fits.add(d);
            }
        }
        if (fits.size() == 1) {
            return fits.get(0);
        }
        if (fits.isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, "no device '" + g + "' " + where + ". "
                    + (devices.isEmpty() ? "There is none." : "There are: " + devices.stream()
                    .map(d -> d.id() + " (" + d.name() + ")").collect(Collectors.joining(", ")) + "."));
        }
        throw new CliException(ExitCode.NOT_FOUND, "'" + g + "' fits more than one device " + where + ": "
                + fits.stream().map(d -> d.id() + " (" + d.name() + ")").collect(Collectors.joining(", "))
                + ". Name it by its id instead.");
    }

    private static String describe(PeerRef p) {
        return p.name() + " (" + p.uuid().toString().substring(0, 8) + ")";
    }
}
