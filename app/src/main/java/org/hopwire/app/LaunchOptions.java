package org.hopwire.app;

import java.util.List;
import java.util.Optional;

import org.hopwire.engine.Fabrics;

/**
 * The command line: {@code [--fabric=auto|kernel|emulated] [list | --help]}.
 *
 * @param fabric  which fabric to run on; empty when the command line does not say (the settings decide)
 * @param command {@code gui}, {@code list} or {@code help}
 */
public record LaunchOptions(Optional<Fabrics.Choice> fabric, String command) {
    static final String USAGE = String.join("\n",
            "Usage: hopwire [--fabric=auto|kernel|emulated] [list]",
            "",
            "  (no command)   open the Hopwire window",
            "  list           print the hosts on the cable and the streams, then exit (no display needed)",
            "  --fabric=...   auto: the real driver when a USB4 controller and thunderbolt_stream are present,",
            "                 else the emulated demo; kernel: the real driver only; emulated: the demo.",
            "                 Without it, the window uses the fabric chosen in Settings (auto at first).",
            "  --help         this text");

    /** Parses the arguments, or explains what is wrong with them. */
    public static LaunchOptions parse(List<String> args) {
        Optional<Fabrics.Choice> fabric = Optional.empty();
        String command = "gui";
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                command = "help";
            } else if (a.startsWith("--fabric=")) {
                fabric = Optional.of(Fabrics.Choice.parse(a.substring("--fabric=".length())));
            } else if (a.equals("list") && command.equals("gui")) {
                command = "list";
            } else {
                throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        return new LaunchOptions(fabric, command);
    }

    /** This host's name, for the emulated fabric's local host. */
    static String localHostName() {
        return Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank())
                .or(() -> readHostnameFile()).orElse("this host");
    }

    private static Optional<String> readHostnameFile() {
        try {
            return Optional.of(java.nio.file.Files.readString(java.nio.file.Path.of("/etc/hostname")).strip())
                    .filter(h -> !h.isEmpty());
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }
}
