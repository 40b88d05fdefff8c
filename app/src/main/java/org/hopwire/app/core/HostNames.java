package org.hopwire.app.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The name this host gives itself in HELLO, for the window, the command line and the service alike: a host of
 * {@code hopwire emulate} is named after its root's folder, any other after the machine.
 */
public final class HostNames {
    private HostNames() {
    }

    /** The host's name for this process's environment. */
    public static String of(Optional<Path> root) {
        return of(root, System.getenv());
    }

    /** The root's folder name when there is a root, else {@link #machine(Map)}. */
    public static String of(Optional<Path> root, Map<String, String> env) {
        return root.map(Path::getFileName).map(Path::toString).orElseGet(() -> machine(env));
    }

    /** The machine's name: {@code $HOSTNAME}, else {@code /etc/hostname}, else "this host". */
    public static String machine(Map<String, String> env) {
        return Optional.ofNullable(env.get("HOSTNAME")).map(String::strip).filter(h -> !h.isEmpty())
                .or(HostNames::hostnameFile).orElse("this host");
    }

    private static Optional<String> hostnameFile() {
        try {
            return Optional.of(Files.readString(Path.of("/etc/hostname")).strip()).filter(h -> !h.isEmpty());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
