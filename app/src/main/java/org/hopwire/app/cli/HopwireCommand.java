package org.hopwire.app.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.hopwire.app.core.Services;
import org.hopwire.engine.Fabrics;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hopwire}: with no command, the window; else one of the commands below. */
@Command(name = "hopwire", mixinStandardHelpOptions = true, version = "Hopwire " + Services.VERSION,
        sortOptions = false,
        description = {"Pools cameras and microphones between Linux hosts over a USB4 cable.",
            "Without a command, opens the Hopwire window. Commands run in the Hopwire already running for this host"
                + " (the window or 'hopwire serve') when there is one, else in this process."},
        subcommands = {Commands.Peers.class, Commands.Devices.class, Commands.Streams.class, Commands.Lend.class,
            Commands.BorrowCmd.class, ControlCommand.class, Commands.Stats.class, Commands.Pair.class, Commands.Forget.class, Commands.Show.class,
            ProcessCommands.Serve.class, ProcessCommands.ListCmd.class, ProcessCommands.Emulate.class,
            ProcessCommands.Completion.class})
public final class HopwireCommand implements Callable<Integer> {
    @Option(names = "--fabric", paramLabel = "auto|kernel|emulated", converter = FabricConverter.class,
            description = {"auto: the real driver when a USB4 controller and thunderbolt_stream are present, else the"
                + " emulated demo; kernel: the driver only; emulated: the demo. Default: the fabric chosen in"
                + " Settings (auto at first)."})
    Optional<Fabrics.Choice> fabric = Optional.empty();

    @Option(names = "--root", paramLabel = "DIR", description = {"Drive the kernel interface under DIR instead of /"
        + " (DIR/sys, DIR/dev): one host of 'hopwire emulate'. Settings and pairings are kept apart per root."})
    Optional<Path> root = Optional.empty();

    @Option(names = "--config-dir", paramLabel = "DIR", description = {"Settings and pairings folder (default:"
        + " ~/.config/hopwire, or its roots/ folder for --root). A running Hopwire is found by this folder."})
    Optional<Path> configDir = Optional.empty();

    /** Set before a command runs. */
    Context context;

    Cli.Globals globals() {
        return Cli.globals(fabric, root, configDir);
    }

    @Override
    public Integer call() {
        return ExitCode.USAGE; // the window is opened by Cli before this would run
    }

    /** {@code auto}, {@code kernel}, {@code emulated}, in any case. */
    static final class FabricConverter implements CommandLine.ITypeConverter<Fabrics.Choice> {
        @Override
        public Fabrics.Choice convert(String value) {
            try {
                return Fabrics.Choice.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, or a number of seconds. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                Duration d;
                if (v.endsWith("ms")) {
                    d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                } else if (v.endsWith("s")) {
                    d = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
                } else if (v.endsWith("m")) {
                    d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
                } else if (v.endsWith("h")) {
                    d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
                } else {
                    d = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
                }
                if (d.isNegative() || d.isZero()) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: write 10s, 500ms,"
                        + " 2m or 1h");
            }
        }
    }
}
