package org.hopwire.engine;

import java.nio.file.Files;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.kernel.ConfigFs;
import org.hopwire.engine.fabric.kernel.DeviceOpener;
import org.hopwire.engine.fabric.kernel.HelperConfigFs;
import org.hopwire.engine.fabric.kernel.HelperLauncher;
import org.hopwire.engine.fabric.kernel.KernelFabric;
import org.hopwire.engine.fabric.kernel.KernelPaths;

/** Chooses and opens the fabric the app runs on: the real driver when there is one, else the emulated demo. */
public final class Fabrics {
    /** The emulated peer a first-time user finds on the demo fabric. */
    public static final String DEMO_PEER_NAME = "Demo laptop";

    /** Which fabric to run on. */
    public enum Choice {
        /** The kernel fabric when a USB4 controller and the driver are present, else the emulated demo. */
        AUTO,
        /** The real driver; fails with a message saying what is missing. */
        KERNEL,
        /** The emulated demo fabric, whatever the machine has. */
        EMULATED;

        /** Parses {@code auto}, {@code kernel} or {@code emulated}, in any case. */
        public static Choice parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown fabric '" + text + "': use auto, kernel or emulated", e);
            }
        }
    }

    private Fabrics() {
    }

    /** Why the real driver cannot be used on this machine, or empty when it can. */
    public static Optional<String> kernelUnavailableReason() {
        return KernelFabric.unavailableReason(KernelPaths.SYSTEM);
    }

    /** Opens the chosen fabric. */
    public static Fabric open(Choice choice, String localHostName) throws FabricException {
        Optional<String> why = choice == Choice.EMULATED ? Optional.empty() : kernelUnavailableReason();
        return switch (choice) {
            case EMULATED -> emulatedDemo(localHostName);
            case AUTO -> why.isEmpty() ? systemKernel() : emulatedDemo(localHostName);
            case KERNEL -> {
                if (why.isPresent()) {
                    throw new FabricException(Errno.ENODEV, why.get()
                            + ". To try Hopwire without USB4 hardware, choose the emulated fabric.");
                }
                yield systemKernel();
            }
        };
    }

    private static Fabric systemKernel() {
        KernelPaths paths = KernelPaths.SYSTEM;
        return new KernelFabric(paths, configFsFor(paths, true), DeviceOpener.DIRECT,
                KernelFabric.DEFAULT_POLL_INTERVAL);
    }

    /**
     * How this process changes ConfigFS at {@code paths}: directly when it may write there (root, or a mount of
     * {@code hopwire emulate --user} that gave it to this user), else through the privileged helper, which is started
     * only when the first change is asked for. The installed helper works on the system's ConfigFS only, so for any
     * other root the helper is used only when a launcher was configured for it ({@link HelperLauncher#overridden()}:
     * tests, which point the helper at the same root).
     */
    public static ConfigFs configFsFor(KernelPaths paths, boolean systemPaths) {
        if (Files.isWritable(paths.configFsStream())) {
            return ConfigFs.DIRECT;
        }
        if (systemPaths || HelperLauncher.overridden()) {
            return new HelperConfigFs(paths.configFsStream(), HelperLauncher.configured());
        }
        return ConfigFs.DIRECT;
    }

    /**
     * The kernel fabric with {@code root} standing for {@code /}: its sysfs, ConfigFS and devices are looked for under
     * it, as {@code hopwire emulate --mount DIR} serves them at {@code DIR/<host>}.
     */
    public static Fabric openAt(java.nio.file.Path root) throws FabricException {
        KernelPaths paths = KernelPaths.under(root);
        Optional<String> why = KernelFabric.unavailableReason(paths);
        if (why.isPresent()) {
            throw new FabricException(Errno.ENODEV, "nothing to run on under " + root + " (" + why.get() + "). To"
                    + " emulate two hosts as files, run 'hopwire emulate --mount DIR' as root and point --root at"
                    + " DIR/alpha or DIR/beta.");
        }
        return new KernelFabric(paths, configFsFor(paths, false), DeviceOpener.DIRECT,
                KernelFabric.DEFAULT_POLL_INTERVAL);
    }

    /**
     * This host's side of a fresh {@link DemoFabric}: {@value #DEMO_PEER_NAME} on an emulated cable, no streams yet
     * (its sessions make them). Closing the returned fabric closes the whole demo.
     */
    public static Fabric emulatedDemo(String localHostName) {
        return DemoFabric.create(localHostName, UUID.randomUUID()).local();
    }

}
