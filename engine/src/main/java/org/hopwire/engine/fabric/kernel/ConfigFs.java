package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The one narrow seam through which every ConfigFS change passes, so it can be routed through a privileged helper.
 *
 * <p>Implementations report a failed call as a {@link SyscallException} carrying the errno's number, never as text:
 * {@link KernelFabric} types the failure by that number.
 */
public interface ConfigFs extends AutoCloseable {
    /** {@code mkdir(2)}. */
    void mkdir(Path dir) throws IOException;

    /** {@code rmdir(2)}. */
    void rmdir(Path dir) throws IOException;

    /** Writes an attribute's value in one {@code write(2)}. */
    void write(Path attribute, String value) throws IOException;

    /** Lets go of what the implementation holds (the privileged helper's process); the fabric calls it at close. */
    @Override
    default void close() {
    }

    /** Changes ConfigFS directly, as this process, with the system calls themselves (see {@link LinuxCalls}). */
    ConfigFs DIRECT = new ConfigFs() {
        @Override
        public void mkdir(Path dir) throws IOException {
            LinuxCalls.mkdir(dir);
        }

        @Override
        public void rmdir(Path dir) throws IOException {
            LinuxCalls.rmdir(dir);
        }

        @Override
        public void write(Path attribute, String value) throws IOException {
            // No O_CREAT or O_TRUNC: ConfigFS attributes exist already and take the whole value in one write.
            LinuxCalls.writeAttribute(attribute, value);
        }

        @Override
        public String toString() {
            return "direct ConfigFS access";
        }
    };
}
