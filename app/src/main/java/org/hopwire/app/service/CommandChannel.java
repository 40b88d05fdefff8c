package org.hopwire.app.service;

import java.io.IOException;
import java.nio.file.Path;

import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;

/**
 * How {@code hopwire} commands on this machine reach a running service (the command line's socket, from the cli
 * package, which depends on this one and not the other way round).
 */
public interface CommandChannel {
    /** Commands reach no service: nothing is served, and no other Hopwire is looked for. */
    CommandChannel NONE = new CommandChannel() {
        @Override
        public boolean runningFor(Path settingsDir) {
            return false;
        }

        @Override
        public AutoCloseable start(Services services, Questions questions) throws IOException {
            throw new IOException("no command channel in this run");
        }
    };

    /** True when a Hopwire (the window or another service) runs already with these settings and pairings. */
    boolean runningFor(Path settingsDir);

    /** Starts serving commands for {@code services}; {@code questions} is where {@code hopwire pair} answers. */
    AutoCloseable start(Services services, Questions questions) throws IOException;
}
