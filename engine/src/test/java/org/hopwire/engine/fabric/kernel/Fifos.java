package org.hopwire.engine.fabric.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;

/** Named pipes for the tests: a FIFO opened for reading and writing loops back, like a device talking to itself. */
final class Fifos {
    private Fifos() {
    }

    /** Makes a FIFO with mkfifo(1), or skips the test saying it is missing. */
    static Path make(Path fifo) throws IOException, InterruptedException {
        int exit;
        try {
            exit = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor();
        } catch (IOException e) {
            exit = -1;
        }
        assumeTrue(exit == 0, "mkfifo (coreutils) is not available to make " + fifo);
        return fifo;
    }
}
