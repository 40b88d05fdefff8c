package org.hopwire.app.cli;

/** A command cannot go on: the message says why and what to do next, the code is one of {@link ExitCode}'s. */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
