package org.hopwire.gst.playback;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the v4l2loopback device a borrowed camera is published on, so browsers and meeting apps can use it. When
 * the module is not loaded, says exactly how to load it.
 */
public final class VirtualWebcam {
    /** The commands that make a Hopwire virtual camera, for the error text and the docs. */
    public static final String HOW_TO_LOAD = "install and load v4l2loopback: sudo apt-get install v4l2loopback-dkms "
            + "&& sudo modprobe v4l2loopback devices=1 video_nr=42 card_label=\"Hopwire camera\" exclusive_caps=1";

    private final Path sysRoot;
    private final Path devRoot;

    public VirtualWebcam() {
        this(Path.of("/sys"), Path.of("/dev"));
    }

    /** With other roots, for tests. */
    public VirtualWebcam(Path sysRoot, Path devRoot) {
        this.sysRoot = sysRoot;
        this.devRoot = devRoot;
    }

    /** A loopback output device found, with the label it was loaded with. */
    public record Device(Path path, String label) {
    }

    public boolean moduleLoaded() {
        return Files.isDirectory(sysRoot.resolve("module/v4l2loopback"));
    }

    /** The loopback devices present; each /sys/class/video4linux/videoN whose driver is v4l2loopback. */
    public List<Device> devices() {
        List<Device> out = new ArrayList<>();
        Path cls = sysRoot.resolve("class/video4linux");
        if (!Files.isDirectory(cls)) {
            return out;
        }
        try (Stream<Path> nodes = Files.list(cls)) {
            for (Path node : nodes.sorted().toList()) {
                Path driver = node.resolve("device/driver");
                String driverName = "";
                try {
                    driverName = Files.isSymbolicLink(driver) ? Files.readSymbolicLink(driver).getFileName().toString()
                            : "";
                } catch (IOException e) {
                    driverName = "";
                }
                String label = read(node.resolve("name"));
                if (driverName.contains("v4l2loopback") || label.toLowerCase().contains("loopback")
                        || label.startsWith("Hopwire")) {
                    out.add(new Device(devRoot.resolve(node.getFileName().toString()), label));
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /**
     * The device to publish on: the one labelled Hopwire, else the first loopback device.
     *
     * @throws IllegalStateException with the commands to run when there is none
     */
    public Device find() {
        List<Device> all = devices();
        Optional<Device> ours = all.stream().filter(d -> d.label().startsWith("Hopwire")).findFirst();
        if (ours.isPresent()) {
            return ours.get();
        }
        if (!all.isEmpty()) {
            return all.get(0);
        }
        throw new IllegalStateException(moduleLoaded()
                ? "v4l2loopback is loaded but made no device: sudo modprobe -r v4l2loopback, then " + HOW_TO_LOAD
                : "no virtual camera: the v4l2loopback module is not loaded. To publish borrowed cameras, "
                + HOW_TO_LOAD);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
