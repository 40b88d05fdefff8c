package org.hopwire.engine.trust;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Remembers paired peers, one file each under {@code $XDG_CONFIG_HOME/hopwire/peers} (default
 * {@code ~/.config/hopwire/peers}), readable only by the user: the folder is 0700 and every file 0600 from the
 * moment it exists.
 */
public final class PeerStore {
    private final Path dir;

    public PeerStore(Path dir) {
        this.dir = dir;
    }

    /** The user's store, where the XDG base directory rules put it. */
    public static PeerStore forUser() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return new PeerStore(base.resolve("hopwire").resolve("peers"));
    }

    public Path directory() {
        return dir;
    }

    private Path file(UUID peer) {
        return dir.resolve(peer.toString() + ".peer");
    }

    public synchronized Optional<PairedPeer> find(UUID peer) throws IOException {
        Path f = file(peer);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            byte[] key = Base64.getDecoder().decode(p.getProperty("key", ""));
            if (key.length != PairingCrypto.SECRET_BYTES) {
                throw new IOException("the key in " + f + " is damaged: forget this peer and pair again");
            }
            Set<String> always = Arrays.stream(p.getProperty("always", "").split("\n")).filter(s -> !s.isEmpty())
                    .collect(Collectors.toSet());
            // Files written before pairing generation 3 have no "pairing" line.
            int version = Integer.parseInt(p.getProperty("pairing", "2").trim());
            // 3.1: devices lent "always" whose controls the peer may not change; files before 3.1 have none.
            Set<String> withoutControls = Arrays.stream(p.getProperty("always.nocontrols", "").split("\n"))
                    .filter(s -> !s.isEmpty()).collect(Collectors.toSet());
            return Optional.of(new PairedPeer(peer, key, p.getProperty("name", ""),
                    Instant.parse(p.getProperty("paired", Instant.EPOCH.toString())), always, version,
                    withoutControls));
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw new IOException(f + " is damaged (" + e.getMessage() + "): forget this peer and pair again", e);
        }
    }

    public synchronized void save(PairedPeer peer) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                        "rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // made meanwhile: fine
            }
        }
        Properties p = new Properties();
        p.setProperty("key", Base64.getEncoder().encodeToString(peer.key()));
        p.setProperty("name", peer.name());
        p.setProperty("paired", peer.pairedAt().toString());
        p.setProperty("always", String.join("\n", peer.alwaysAllowed()));
        p.setProperty("pairing", Integer.toString(peer.version()));
        if (!peer.alwaysWithoutControls().isEmpty()) {
            p.setProperty("always.nocontrols", String.join("\n", peer.alwaysWithoutControls()));
        }
        Path tmp = Files.createTempFile(dir, ".peer", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "Hopwire paired peer: its key proves who it is. Delete this file to forget it.");
        }
        try {
            Files.move(tmp, file(peer.uuid()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file(peer.uuid()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Forgets a peer: the next connection must pair again. Returns whether it was known. */
    public synchronized boolean forget(UUID peer) throws IOException {
        return Files.deleteIfExists(file(peer));
    }

    public synchronized List<PairedPeer> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<PairedPeer> result = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".peer")).toList()) {
                String name = f.getFileName().toString();
                try {
                    find(UUID.fromString(name.substring(0, name.length() - ".peer".length()))).ifPresent(result::add);
                } catch (IllegalArgumentException notOurs) {
                    // a file that is not named by a UUID is not a peer
                }
            }
        }
        return result;
    }
}
