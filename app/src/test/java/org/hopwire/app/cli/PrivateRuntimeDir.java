package org.hopwire.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For a test class ({@code @ExtendWith(PrivateRuntimeDir.class)}): the command sockets go to a fresh folder of its
 * own ({@code hopwire.runtimeDir}, not yet made, as {@code $XDG_RUNTIME_DIR/hopwire} may not be), never to the
 * user's, and the property is put back afterwards.
 */
public final class PrivateRuntimeDir implements BeforeAllCallback, AfterAllCallback {
    private static final String PROPERTY = "hopwire.runtimeDir";
    private static Path current;
    private String saved;

    /** The folder the class's command sockets go to. */
    public static Path path() {
        return current;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        saved = System.getProperty(PROPERTY);
        current = Files.createTempDirectory("hopwire-run-").resolve("hopwire");
        System.setProperty(PROPERTY, current.toString());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (saved == null) {
            System.clearProperty(PROPERTY);
        } else {
            System.setProperty(PROPERTY, saved);
        }
        current = null;
    }

}
