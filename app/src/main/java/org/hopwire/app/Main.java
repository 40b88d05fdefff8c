package org.hopwire.app;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

import javafx.application.Application;

import org.hopwire.app.cli.Cli;
import org.hopwire.app.cli.Terminal;

/** Hopwire's entry point: the desktop app (no command), or the command line ({@link Cli}). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int status = Cli.run(List.of(args), Terminal.system(), Main::window);
        System.out.flush();
        // Exit even when a library left a non-daemon thread behind (GStreamer, JavaFX from a preview).
        System.exit(status);
    }

    /** Runs the command line with no input; returns the exit status (see {@code hopwire --help}). */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        return run(args, InputStream.nullInputStream(), out, err);
    }

    /** Runs the command line with {@code in} as the person's answers (not a terminal: consent is refused). */
    static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        return Cli.run(args, new Terminal(in, out, err, false), Main::window);
    }

    private static int window(List<String> args, Terminal terminal) {
        if (!hasDisplay()) {
            terminal.err().println("hopwire: there is no display to open a window on (neither DISPLAY nor"
                    + " WAYLAND_DISPLAY is set). Run it in a desktop session, or use the command line: 'hopwire"
                    + " --help' lists the commands ('hopwire peers', 'hopwire devices', ...).");
            return 1;
        }
        // One Hopwire per host: a second start brings back the window of the one running (perhaps in the background).
        Optional<Integer> running = Cli.showRunning(args, LaunchOptions.parse(args).configDirectory(), terminal);
        if (running.isPresent()) {
            return running.get();
        }
        // Launched as org.hopwire.Hopwire: the window class is the application id (see that class).
        Application.launch(org.hopwire.Hopwire.class, args.toArray(String[]::new));
        return 0;
    }

    private static boolean hasDisplay() {
        return System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null
                || "Monocle".equals(System.getProperty("glass.platform"));
    }
}
