package org.hopwire.app.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.hopwire.app.core.Settings;
import org.hopwire.engine.Fabrics;

import picocli.CommandLine;

/**
 * Runs the {@code hopwire} command line: parses it (picocli), then runs the command in a Hopwire that already runs
 * for this host (over its command socket, see {@link CommandServer}) or, when none answers, in this process.
 */
public final class Cli {
    /**
     * The options that come before the command.
     *
     * @param configDir settings and pairings: {@code --config-dir}, else the folder of {@code --root}, else
     *                  {@code ~/.config/hopwire}
     */
    public record Globals(Optional<Fabrics.Choice> fabric, Optional<Path> root, Path configDir, String hostName) {
    }

    /** Opens the window (no command given); returns the exit status. */
    public interface Window {
        int open(List<String> args, Terminal terminal);
    }

    private Cli() {
    }

    /** A command line typed by a person or a script: run where the host's Hopwire runs, or here. */
    public static int run(List<String> args, Terminal terminal, Window window) {
        return execute(args, terminal, window, null);
    }

    /** A command line that came over the command socket: runs on the running Hopwire's context. */
    static int runIn(List<String> args, Context context) {
        return execute(args, context.terminal(), null, context);
    }

    /**
     * For a window about to open: when a Hopwire runs already for these settings, asks it to show its window instead
     * (a window in the background comes back; a service says it has none) and returns that command's exit status.
     * Empty when none runs, and the window should open.
     */
    public static Optional<Integer> showRunning(List<String> windowArgs, Path configDir, Terminal terminal) {
        List<String> show = new java.util.ArrayList<>(windowArgs);
        show.add("show");
        return CommandClient.tryRun(CommandServer.socketFor(configDir), show, terminal);
    }

    /** The command tree, for help and completion. */
    static CommandLine commandLine(Terminal terminal) {
        CommandLine cl = new CommandLine(new HopwireCommand());
        cl.setOut(new PrintWriter(terminal.out(), true));
        cl.setErr(new PrintWriter(terminal.err(), true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        footers(cl);
        return cl;
    }

    private static void footers(CommandLine cl) {
        cl.getCommandSpec().usageMessage().footer(ExitCode.HELP);
        cl.getSubcommands().values().forEach(Cli::footers);
    }

    private static int execute(List<String> args, Terminal terminal, Window window, Context served) {
        CommandLine cl = commandLine(terminal);
        cl.setParameterExceptionHandler((e, a) -> {
            terminal.err().println("hopwire: " + explain(e));
            terminal.err().println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help' for what it takes.");
            return ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((e, c, pr) -> {
            Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            if (t instanceof CliException ce) {
                terminal.err().println("hopwire: " + ce.getMessage());
                return ce.exitCode();
            }
            if (t instanceof InterruptedException) {
                terminal.err().println("hopwire: interrupted");
                return ExitCode.FAILED;
            }
            terminal.err().println("hopwire: " + t);
            return ExitCode.FAILED;
        });
        cl.setExecutionStrategy(pr -> {
            try {
                return strategy(cl, pr, args, terminal, window, served);
            } catch (CliException e) {
                terminal.err().println("hopwire: " + e.getMessage());
                return e.exitCode();
            }
        });
        try {
            return cl.execute(args.toArray(String[]::new));
        } finally {
            terminal.out().flush();
            terminal.err().flush();
        }
    }

    private static int strategy(CommandLine cl, CommandLine.ParseResult pr, List<String> args, Terminal terminal,
                                Window window, Context served) {
        Integer help = CommandLine.executeHelpRequest(pr);
        if (help != null) {
            return help;
        }
        HopwireCommand root = (HopwireCommand) pr.commandSpec().userObject();
        if (root.root.isPresent() && root.fabric.orElse(null) == Fabrics.Choice.EMULATED) {
            throw new CommandLine.ParameterException(cl, "--root points the kernel fabric at a folder; it does"
                    + " not go with --fabric=emulated (the built-in demo)");
        }
        Globals globals = root.globals();
        CommandLine.ParseResult sub = pr.subcommand();
        if (sub == null) {
            if (window == null) {
                throw new CliException(ExitCode.USAGE, "no command given: 'hopwire --help' lists them");
            }
            return window.open(args, terminal);
        }
        Object command = sub.commandSpec().userObject();
        if (!(command instanceof Base)) {
            return new CommandLine.RunLast().execute(pr);
        }
        if (served != null) {
            // The running Hopwire's fabric is the one there is: a command that asked for another must not act on it.
            Optional<String> why = served.whyNotOn(root.fabric, root.root.map(p -> served.workingDirectory()
                    .resolve(p).normalize()));
            if (why.isPresent()) {
                throw new CliException(ExitCode.USAGE, why.get());
            }
            root.context = served;
            return new CommandLine.RunLast().execute(pr);
        }
        Optional<Integer> remote = CommandClient.tryRun(CommandServer.socketFor(globals.configDir()), args,
                terminal);
        if (remote.isPresent()) {
            return remote.get();
        }
        try (LocalContext context = new LocalContext(terminal, globals)) {
            root.context = context;
            return new CommandLine.RunLast().execute(pr);
        }
    }

    /** picocli's messages in the words the rest of Hopwire uses. */
    private static String explain(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String a = u.getUnmatched().get(0);
            List<String> close = u.getSuggestions();
            return "unknown argument '" + a + "'" + (close.isEmpty() ? "" : " (did you mean " + String.join(" or ",
                    close) + "?)");
        }
        if (e instanceof CommandLine.MissingParameterException m && m.getMissing() != null
                && !m.getMissing().isEmpty() && m.getMissing().get(0) instanceof CommandLine.Model.OptionSpec o) {
            return o.longestName() + " needs a value";
        }
        if (e.getCause() instanceof CommandLine.TypeConversionException t) {
            return t.getMessage();
        }
        return e.getMessage();
    }

    /** The global options' meaning, shared with the window's LaunchOptions. */
    static Globals globals(Optional<Fabrics.Choice> fabric, Optional<Path> root, Optional<Path> configDir) {
        Optional<Path> r = root.map(p -> p.toAbsolutePath().normalize());
        Path dir = configDir.map(p -> p.toAbsolutePath().normalize()).orElseGet(() -> r.map(Settings::configDirectory)
                .orElseGet(Settings::configDirectory));
        return new Globals(fabric, r, dir, org.hopwire.app.core.HostNames.of(r));
    }
}
