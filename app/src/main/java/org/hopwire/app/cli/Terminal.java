package org.hopwire.app.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Where a command talks to its person: its output, its errors, and questions answered by a line of input. Over the
 * command socket, the same calls travel to the client's terminal.
 */
public class Terminal {
    private final PrintStream out;
    private final PrintStream err;
    private final BufferedReader in;
    private final boolean interactive;

    /**
     * @param interactive true when a person is at the input (a terminal): only then are consent questions asked;
     *                    otherwise they are refused
     */
    public Terminal(InputStream in, PrintStream out, PrintStream err, boolean interactive) {
        this.out = out;
        this.err = err;
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.interactive = interactive;
    }

    /** The process's own terminal. */
    public static Terminal system() {
        return new Terminal(System.in, System.out, System.err, System.console() != null);
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public boolean interactive() {
        return interactive;
    }

    /**
     * True once the person went away without answering (the terminal of a command sent to a running Hopwire was
     * closed, or Ctrl+C stopped it): a question then asked has no answer here, and is left for the window or a
     * notification rather than taken as a no.
     */
    public boolean gone() {
        return false;
    }

    /** Shows {@code prompt} and reads one line; empty at the end of the input. One question at a time. */
    public synchronized Optional<String> ask(String prompt) {
        out.print(prompt);
        out.flush();
        try {
            return Optional.ofNullable(in.readLine());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A yes/no question whose answer is no unless the person types y or yes. */
    public boolean confirm(String question) {
        return ask(question + " [y/N] ").map(a -> a.trim().toLowerCase(java.util.Locale.ROOT))
                .map(a -> a.equals("y") || a.equals("yes")).orElse(false);
    }
}
