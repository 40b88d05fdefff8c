package org.hopwire.app.service;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

import org.hopwire.engine.Fabrics;

/**
 * {@code hopwire serve}: Hopwire without a window, for machines without a display and for the background service.
 * (The service itself arrives with its own change; until then this says so.)
 */
public final class Serve {
    private Serve() {
    }

    /**
     * What {@code hopwire serve} was asked for.
     *
     * @param config the service's config file; empty for the default place
     * @param root   the kernel interface under a folder (a host of {@code hopwire emulate}); empty for the machine's
     * @param fabric the fabric from the command line; empty to let the settings decide
     */
    public record Options(Optional<Path> config, Optional<Path> root, Optional<Fabrics.Choice> fabric) {
    }

    /** Runs until stopped (SIGTERM, Ctrl+C); returns the exit status. */
    public static int run(Options options, PrintStream out, PrintStream err) {
        err.println("hopwire serve: not available in this build yet");
        return 1;
    }
}
