package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one narrow seam through which every ConfigFS change passes, so it can be routed through a privileged helper.
 *
 * <p>Implementations report failures as the system call would: an {@link IOException} whose message or reason is
 * the {@code strerror} text of the errno. {@link KernelFabric} turns that into typed exceptions.
 */
public interface ConfigFs {
    /** {@code mkdir(2)}. */
    void mkdir(Path dir) throws IOException;

    /** {@code rmdir(2)}. */
    void rmdir(Path dir) throws IOException;

    /** Writes an attribute's value in one {@code write(2)}. */
    void write(Path attribute, String value) throws IOException;

    /** Changes ConfigFS directly, as this process. */
    ConfigFs DIRECT = new ConfigFs() {
        @Override
        public void mkdir(Path dir) throws IOException {
            Files.createDirectory(dir);
        }

        @Override
        public void rmdir(Path dir) throws IOException {
            Files.delete(dir);
        }

        @Override
        public void write(Path attribute, String value) throws IOException {
            // No CREATE or TRUNCATE: ConfigFS attributes exist already and take the whole value in one write.
            Files.write(attribute, (value + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    java.nio.file.StandardOpenOption.WRITE);
        }

        @Override
        public String toString() {
            return "direct ConfigFS access";
        }
    };
}
