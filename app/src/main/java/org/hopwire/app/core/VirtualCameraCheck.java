package org.hopwire.app.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.hopwire.app.text.Text;
import org.hopwire.engine.fabric.kernel.HelperLauncher;
import org.hopwire.gst.playback.VirtualWebcam;

/**
 * Whether "Borrow as a virtual webcam" can work on this machine, and if not, why and what to do. A virtual camera
 * needs the v4l2loopback module: loaded already, or installed for the running kernel (under
 * {@code /lib/modules/$(uname -r)}) with Hopwire's helper there to load it. The answer reads the file system, so it
 * is worked out once, off the UI thread ({@link #startChecking}), and menus read the cached {@link #current}.
 */
public final class VirtualCameraCheck {
    /** What the check found. */
    public record Availability(boolean available, String reason, String fix) {
        static final Availability YES = new Availability(true, "", "");

        /** The menu item's text: its action, or why it cannot and what to do. */
        public String menuText() {
            return available ? Text.tr("menu.webcam") : Text.tr("menu.webcam.unavailable", reason, fix);
        }
    }

    private static volatile CompletableFuture<Availability> checked;

    private final Path sysRoot;
    private final Path modulesRoot;
    private final BooleanSupplier canLoad;

    /** On this machine: {@code /sys}, the running kernel's modules folder, and Hopwire's helper as configured. */
    public VirtualCameraCheck() {
        this(Path.of("/sys"), Path.of("/lib/modules", System.getProperty("os.version", "")),
                () -> HelperLauncher.configured().unavailableReason().isEmpty());
    }

    /** With other folders and helper, for tests. */
    VirtualCameraCheck(Path sysRoot, Path modulesRoot, BooleanSupplier canLoad) {
        this.sysRoot = sysRoot;
        this.modulesRoot = modulesRoot;
        this.canLoad = canLoad;
    }

    /** Works it out (reads the file system: not on the UI thread). */
    public Availability check() {
        VirtualWebcam webcam = new VirtualWebcam(sysRoot, Path.of("/dev"));
        if (webcam.moduleLoaded() || !webcam.devices().isEmpty()) {
            return Availability.YES;
        }
        if (!installed()) {
            return new Availability(false, Text.tr("webcam.reason.not.installed"), Text.tr("webcam.fix.install"));
        }
        if (!canLoad.getAsBoolean()) {
            return new Availability(false, Text.tr("webcam.reason.cannot.load"), Text.tr("webcam.fix.load"));
        }
        return Availability.YES;
    }

    /** Whether a v4l2loopback module file is there for the running kernel (DKMS puts it under updates/dkms). */
    boolean installed() {
        Path dep = modulesRoot.resolve("modules.dep");
        try {
            if (Files.isRegularFile(dep)) {
                try (Stream<String> lines = Files.lines(dep)) {
                    if (lines.anyMatch(l -> l.contains("/v4l2loopback.ko"))) {
                        return true;
                    }
                }
            }
            if (!Files.isDirectory(modulesRoot)) {
                return false;
            }
            // A module built but not yet in modules.dep (depmod not run): a short walk finds it.
            try (Stream<Path> files = Files.walk(modulesRoot, 6)) {
                return files.anyMatch(p -> p.getFileName().toString().startsWith("v4l2loopback.ko"));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** Starts the check on a background thread, once per process; menus built later find it cached. */
    public static CompletableFuture<Availability> startChecking() {
        CompletableFuture<Availability> c = checked;
        if (c == null) {
            synchronized (VirtualCameraCheck.class) {
                if (checked == null) {
                    checked = CompletableFuture.supplyAsync(() -> new VirtualCameraCheck().check());
                }
                c = checked;
            }
        }
        return c;
    }

    /** The cached answer, empty while the check runs (or before it was started). */
    public static Optional<Availability> current() {
        CompletableFuture<Availability> c = checked;
        return c != null && c.isDone() && !c.isCompletedExceptionally() ? Optional.of(c.join()) : Optional.empty();
    }
}
