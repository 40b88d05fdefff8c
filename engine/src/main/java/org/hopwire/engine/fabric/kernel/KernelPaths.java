package org.hopwire.engine.fabric.kernel;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the kernel shows the Thunderbolt world; injectable so tests and emulators can point elsewhere.
 *
 * @param sysBusThunderbolt  {@code /sys/bus/thunderbolt}, holding {@code devices/}
 * @param configFsStream     {@code /sys/kernel/config/thunderbolt/stream}
 * @param dev                {@code /dev}, holding {@code tbstreamN}
 */
public record KernelPaths(Path sysBusThunderbolt, Path configFsStream, Path dev) {
    /** The real locations. */
    public static final KernelPaths SYSTEM = new KernelPaths(Path.of("/sys/bus/thunderbolt"),
            Path.of("/sys/kernel/config/thunderbolt/stream"), Path.of("/dev"));

    public KernelPaths {
        Objects.requireNonNull(sysBusThunderbolt, "sysBusThunderbolt");
        Objects.requireNonNull(configFsStream, "configFsStream");
        Objects.requireNonNull(dev, "dev");
    }

    /** The same layout below one folder, as a fake tree in tests uses. */
    public static KernelPaths under(Path root) {
        return new KernelPaths(root.resolve("sys/bus/thunderbolt"), root.resolve("sys/kernel/config/thunderbolt/stream"),
                root.resolve("dev"));
    }

    /** {@code /sys/bus/thunderbolt/devices}. */
    public Path devices() {
        return sysBusThunderbolt.resolve("devices");
    }
}
