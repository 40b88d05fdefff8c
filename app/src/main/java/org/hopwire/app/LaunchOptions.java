package org.hopwire.app;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.hopwire.engine.Fabrics;

/**
 * The command line: {@code [--fabric=auto|kernel|emulated] [--root DIR] [list | --help]}, or {@code emulate ...}.
 *
 * @param fabric   which fabric to run on; empty when the command line does not say (the settings decide)
 * @param root     the folder that stands for {@code /} for the kernel fabric (a host of {@code hopwire emulate});
 *                 empty for the machine's own
 * @param command  {@code gui}, {@code list}, {@code emulate} or {@code help}
 * @param emulate  the emulator's options, for {@code emulate}
 * @param configDir settings and pairings folder ({@code --config-dir}); empty for the default (see
 *                 {@link #configDirectory()})
 */
public record LaunchOptions(Optional<Fabrics.Choice> fabric, Optional<Path> root, String command,
                            Optional<EmulateOptions> emulate, Optional<Path> configDir) {
    static final String USAGE = String.join("\n",
            "Usage: hopwire [--fabric=auto|kernel|emulated] [--root DIR] [--config-dir DIR] [list]",
            "       hopwire emulate --mount DIR [--hosts alpha,beta] [--preset 40g|unthrottled] [--user NAME]",
            "                       [--device-group G]",
            "",
            "  (no command)   open the Hopwire window",
            "  list           print the hosts on the cable and the streams, then exit (no display needed)",
            "  --fabric=...   auto: the real driver when a USB4 controller and thunderbolt_stream are present,",
            "                 else the emulated demo; kernel: the real driver only; emulated: the demo.",
            "                 Without it, the window uses the fabric chosen in Settings (auto at first).",
            "  --root DIR     drive the kernel interface found under DIR instead of / (DIR/sys, DIR/dev): one",
            "                 host of 'hopwire emulate'. Settings and pairings are kept apart for each root.",
            "  emulate        serve emulated hosts on one emulated cable as files under DIR (needs root and",
            "                 FUSE): DIR/<host>/sys, DIR/<host>/dev/tbstreamN, DIR/cables/<a>-<b>/plugged",
            "                 (write 0 to pull the cable, 1 to plug it). Runs until stopped (Ctrl+C, SIGTERM).",
            "                 --user NAME lets that user run Hopwire on the hosts without root.",
            "  --help         this text");

    /**
     * {@code hopwire emulate}'s options.
     *
     * @param deviceGroup a group whose members may open the device nodes, as Hopwire's udev rule makes it
     * @param user        a user who may change ConfigFS, open the devices and pull the cables without root
     */
    public record EmulateOptions(Path mount, List<String> hosts, String preset, Optional<String> deviceGroup,
                                 Optional<String> user) {
    }

    /** Parses the arguments, or explains what is wrong with them. */
    public static LaunchOptions parse(List<String> args) {
        if (!args.isEmpty() && args.get(0).equals("emulate")) {
            return new LaunchOptions(Optional.empty(), Optional.empty(), "emulate",
                    Optional.of(parseEmulate(args.subList(1, args.size()))), Optional.empty());
        }
        Optional<Fabrics.Choice> fabric = Optional.empty();
        Optional<Path> root = Optional.empty();
        Optional<Path> configDir = Optional.empty();
        String command = "gui";
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--help") || a.equals("-h")) {
                command = "help";
            } else if (a.startsWith("--fabric=")) {
                fabric = Optional.of(Fabrics.Choice.parse(a.substring("--fabric=".length())));
            } else if (a.equals("--root") || a.startsWith("--root=")) {
                String dir = a.equals("--root") ? value(args, ++i, "--root") : a.substring("--root=".length());
                if (dir.isBlank()) {
                    throw new IllegalArgumentException("--root needs a folder");
                }
                root = Optional.of(Path.of(dir).toAbsolutePath().normalize());
            } else if (a.equals("--config-dir") || a.startsWith("--config-dir=")) {
                String dir = a.equals("--config-dir") ? value(args, ++i, "--config-dir")
                        : a.substring("--config-dir=".length());
                configDir = Optional.of(Path.of(dir).toAbsolutePath().normalize());
            } else if (a.equals("list") && command.equals("gui")) {
                command = "list";
            } else {
                throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        if (root.isPresent() && fabric.isPresent() && fabric.get() == Fabrics.Choice.EMULATED) {
            throw new IllegalArgumentException("--root points the kernel fabric at a folder; it does not go with"
                    + " --fabric=emulated (the built-in demo)");
        }
        return new LaunchOptions(fabric, root, command, Optional.empty(), configDir);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static EmulateOptions parseEmulate(List<String> args) {
        Path mount = null;
        String hosts = "alpha,beta";
        String preset = "40g";
        Optional<String> group = Optional.empty();
        Optional<String> user = Optional.empty();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String inline = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
            switch (name) {
                case "--mount" -> mount = Path.of(inline != null ? inline : value(args, ++i, name));
                case "--hosts" -> hosts = inline != null ? inline : value(args, ++i, name);
                case "--preset" -> preset = inline != null ? inline : value(args, ++i, name);
                case "--device-group" -> group = Optional.of(inline != null ? inline : value(args, ++i, name));
                case "--user" -> user = Optional.of(inline != null ? inline : value(args, ++i, name));
                default -> throw new IllegalArgumentException("unknown argument to emulate: '" + a + "'");
            }
        }
        return emulateOptions(mount, hosts, preset, group, user);
    }

    /** {@code emulate}'s options checked, from either parser; {@code mount} null when not given. */
    public static EmulateOptions emulateOptions(Path mount, String hosts, String preset, Optional<String> group,
                                                Optional<String> user) {
        org.hopwire.app.cli.EmulateSpec e = org.hopwire.app.cli.EmulateSpec.of(mount, hosts, preset, group, user);
        return new EmulateOptions(e.mount(), e.hosts(), e.preset(), e.deviceGroup(), e.user());
    }

    /** Settings and pairings: {@code --config-dir}, else the root's own folder, else Hopwire's. */
    public Path configDirectory() {
        return configDir.orElseGet(() -> root.map(org.hopwire.app.core.Settings::configDirectory)
                .orElseGet(org.hopwire.app.core.Settings::configDirectory));
    }

    /** The host name: the root's folder name for an emulated host, else this machine's. */
    String hostName() {
        return org.hopwire.app.core.HostNames.of(root);
    }
}
