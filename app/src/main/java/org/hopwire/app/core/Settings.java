package org.hopwire.app.core;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import org.hopwire.engine.Fabrics;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.gst.format.FormatPolicy;

/**
 * What the person chose, kept in {@code settings.properties} in Hopwire's configuration folder. Unknown or broken
 * values fall back to the defaults below, so a hand-edited file never stops the app.
 *
 * @param fabric         which fabric to run on at the next launch
 * @param formatPolicy   how lent video is sent
 * @param consent        what to do when a peer asks for a device
 * @param dataProtection what this host asks for on the data stream (the pictures and sound on the cable); the
 *                       stronger of the two hosts' wishes applies, from each peer's next session on
 * @param localUuid      this host's UUID on the emulated fabric (kept so the demo pairing survives a restart)
 * @param window         where the main window was, if it has been shown
 * @param appearance     light or dark, or as the desktop prefers
 * @param previewOnBorrow whether a borrow (by drag, Borrow or any other way) shows its preview in the window
 * @param deviceFormats  the format chosen for a peer's device ("Choose format…"), as the caps text to ask for, by
 *                       {@link #deviceKey}; a device not listed is borrowed as the owner chooses (Automatic)
 */
public record Settings(Fabrics.Choice fabric, FormatPolicy formatPolicy, ConsentDefault consent,
                       FrameSeal.Protection dataProtection, UUID localUuid, Optional<Window> window,
                       Appearance appearance, boolean previewOnBorrow, Map<String, String> deviceFormats) {
    /**
     * Devices whose format is remembered at most: far more than a person borrows from, and a hand-edited file with
     * thousands of lines cannot make the app hold them all.
     */
    public static final int MAX_DEVICE_FORMATS = 256;

    public Settings {
        deviceFormats = Map.copyOf(deviceFormats);
    }

    /** The settings before per-device formats: none remembered. */
    public Settings(Fabrics.Choice fabric, FormatPolicy formatPolicy, ConsentDefault consent,
                    FrameSeal.Protection dataProtection, UUID localUuid, Optional<Window> window,
                    Appearance appearance, boolean previewOnBorrow) {
        this(fabric, formatPolicy, consent, dataProtection, localUuid, window, appearance, previewOnBorrow, Map.of());
    }

    /** The settings before the appearance and preview preferences: as the desktop prefers, preview on. */
    public Settings(Fabrics.Choice fabric, FormatPolicy formatPolicy, ConsentDefault consent,
                    FrameSeal.Protection dataProtection, UUID localUuid, Optional<Window> window) {
        this(fabric, formatPolicy, consent, dataProtection, localUuid, window, Appearance.FOLLOW_DESKTOP, true);
    }

    /** Light or dark: as the desktop prefers (the default), or always one of them. */
    public enum Appearance {
        FOLLOW_DESKTOP, LIGHT, DARK
    }

    /** What happens when a peer asks to borrow a device the person has not allowed "always". */
    public enum ConsentDefault {
        /** Ask the person each time (the default: nothing is lent without consent). */
        ASK("settings.consent.ask"),
        /** Refuse without asking: for hosts nobody watches. */
        DENY("settings.consent.deny");

        private final String labelKey;

        ConsentDefault(String labelKey) {
            this.labelKey = labelKey;
        }

        /** What the person reads in Settings. */
        @Override
        public String toString() {
            return org.hopwire.app.text.Text.tr(labelKey);
        }
    }

    /** The main window's place and size on screen. */
    public record Window(double x, double y, double width, double height, boolean maximized) {
        /** Smaller than this is a window nobody meant: the default size is used instead. */
        public static final double MIN_WIDTH = 640;
        public static final double MIN_HEIGHT = 420;

        public boolean usable() {
            return width >= MIN_WIDTH && height >= MIN_HEIGHT && Double.isFinite(x) && Double.isFinite(y);
        }
    }

    static final String FILE = "settings.properties";

    public static Settings defaults() {
        return new Settings(Fabrics.Choice.AUTO, FormatPolicy.AUTOMATIC, ConsentDefault.ASK,
                FrameSeal.Protection.ENCRYPTED, UUID.randomUUID(), Optional.empty(), Appearance.FOLLOW_DESKTOP, true);
    }

    /** The key a peer's device is remembered by: the peer's UUID and the device's id on it. */
    public static String deviceKey(UUID peer, String deviceId) {
        return peer + "/" + deviceId;
    }

    /** The format chosen for a peer's device; empty for Automatic (the owner chooses within the global policy). */
    public Optional<String> formatFor(UUID peer, String deviceId) {
        return Optional.ofNullable(deviceFormats.get(deviceKey(peer, deviceId)));
    }

    /**
     * Remembers {@code caps} for a peer's device; "" goes back to Automatic. Text the protocol would refuse is not
     * kept (it could only fail every later borrow), and past {@link #MAX_DEVICE_FORMATS} nothing new is added.
     */
    public Settings withDeviceFormat(UUID peer, String deviceId, String caps) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>(deviceFormats);
        String key = deviceKey(peer, deviceId);
        if (caps.isEmpty() || org.hopwire.engine.protocol.CapsWish.problem(caps).isPresent()) {
            m.remove(key);
        } else if (m.containsKey(key) || m.size() < MAX_DEVICE_FORMATS) {
            m.put(key, caps);
        }
        return new Settings(fabric, formatPolicy, consent, dataProtection, localUuid, window, appearance,
                previewOnBorrow, m);
    }

    public Settings withFabric(Fabrics.Choice f) {
        return new Settings(f, formatPolicy, consent, dataProtection, localUuid, window, appearance,
                previewOnBorrow, deviceFormats);
    }

    public Settings withFormatPolicy(FormatPolicy p) {
        return new Settings(fabric, p, consent, dataProtection, localUuid, window, appearance, previewOnBorrow,
                deviceFormats);
    }

    public Settings withConsent(ConsentDefault c) {
        return new Settings(fabric, formatPolicy, c, dataProtection, localUuid, window, appearance, previewOnBorrow,
                deviceFormats);
    }

    public Settings withDataProtection(FrameSeal.Protection p) {
        return new Settings(fabric, formatPolicy, consent, java.util.Objects.requireNonNull(p, "protection"),
                localUuid, window, appearance, previewOnBorrow, deviceFormats);
    }

    public Settings withWindow(Window w) {
        return new Settings(fabric, formatPolicy, consent, dataProtection, localUuid, Optional.of(w), appearance,
                previewOnBorrow, deviceFormats);
    }

    public Settings withAppearance(Appearance a) {
        return new Settings(fabric, formatPolicy, consent, dataProtection, localUuid, window,
                java.util.Objects.requireNonNull(a, "appearance"), previewOnBorrow, deviceFormats);
    }

    public Settings withPreviewOnBorrow(boolean on) {
        return new Settings(fabric, formatPolicy, consent, dataProtection, localUuid, window, appearance, on,
                deviceFormats);
    }

    /** Reads the settings in {@code dir}; missing file or values give the defaults (and a UUID kept from now on). */
    public static Settings load(Path dir) {
        Settings d = defaults();
        Properties p = new Properties();
        Path file = dir.resolve(FILE);
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                return d;
            }
        }
        return new Settings(
                parse(p, "fabric", Fabrics.Choice::parse, d.fabric()),
                parse(p, "format.policy", FormatPolicy::parse, d.formatPolicy()),
                parse(p, "consent", s -> ConsentDefault.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT)),
                        d.consent()),
                parse(p, "data.protection", s -> FrameSeal.Protection.valueOf(
                        s.trim().toUpperCase(java.util.Locale.ROOT)), d.dataProtection()),
                parse(p, "emulated.uuid", UUID::fromString, d.localUuid()),
                readWindow(p),
                parse(p, "appearance", s -> Appearance.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT)
                        .replace('-', '_')), d.appearance()),
                parse(p, "preview.on.borrow", Settings::parseBoolean, d.previewOnBorrow()),
                readDeviceFormats(p));
    }

    private static final String DEVICE_FORMAT = "format.device.";

    /** "format.device.&lt;peer UUID&gt;/&lt;device id&gt;=caps" lines; broken ones are left out. */
    private static Map<String, String> readDeviceFormats(Properties p) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
            if (!key.startsWith(DEVICE_FORMAT) || m.size() >= MAX_DEVICE_FORMATS) {
                continue;
            }
            String device = key.substring(DEVICE_FORMAT.length());
            String caps = p.getProperty(key).trim();
            int slash = device.indexOf('/');
            try {
                UUID.fromString(device.substring(0, Math.max(0, slash)));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (slash + 1 < device.length() && !caps.isEmpty()
                    && org.hopwire.engine.protocol.CapsWish.problem(caps).isEmpty()) {
                m.put(device, caps);
            }
        }
        return m;
    }

    private static <T> T parse(Properties p, String key, java.util.function.Function<String, T> parser, T fallback) {
        String v = p.getProperty(key);
        if (v == null) {
            return fallback;
        }
        try {
            return parser.apply(v);
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    /** "true" or "false" only: anything else is a hand-edit gone wrong and falls back to the default. */
    private static boolean parseBoolean(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(s);
        };
    }

    private static Optional<Window> readWindow(Properties p) {
        try {
            Window w = new Window(Double.parseDouble(p.getProperty("window.x")),
                    Double.parseDouble(p.getProperty("window.y")), Double.parseDouble(p.getProperty("window.width")),
                    Double.parseDouble(p.getProperty("window.height")),
                    Boolean.parseBoolean(p.getProperty("window.maximized")));
            return w.usable() ? Optional.of(w) : Optional.empty();
        } catch (NullPointerException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Writes the settings to {@code dir} atomically (a crash leaves the old file or the new, never half). */
    public void save(Path dir) throws IOException {
        Properties p = new Properties();
        p.setProperty("fabric", fabric.name().toLowerCase(java.util.Locale.ROOT));
        p.setProperty("format.policy", formatPolicy.name().toLowerCase(java.util.Locale.ROOT));
        p.setProperty("consent", consent.name().toLowerCase(java.util.Locale.ROOT));
        p.setProperty("data.protection", dataProtection.name().toLowerCase(java.util.Locale.ROOT));
        p.setProperty("emulated.uuid", localUuid.toString());
        p.setProperty("appearance", appearance.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        p.setProperty("preview.on.borrow", Boolean.toString(previewOnBorrow));
        deviceFormats.forEach((device, caps) -> p.setProperty(DEVICE_FORMAT + device, caps));
        window.ifPresent(w -> {
            p.setProperty("window.x", Double.toString(w.x()));
            p.setProperty("window.y", Double.toString(w.y()));
            p.setProperty("window.width", Double.toString(w.width()));
            p.setProperty("window.height", Double.toString(w.height()));
            p.setProperty("window.maximized", Boolean.toString(w.maximized()));
        });
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, FILE, ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "Hopwire settings");
        }
        try {
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The configuration folder of a host run with {@code --root}: two windows on one machine, one per emulated host,
     * keep their settings and pairings apart. Below {@link #configDirectory()}, named after the root's path.
     */
    public static Path configDirectory(Path root) {
        return rootDirectory(configDirectory(), root);
    }

    /** The folder for a host run with {@code --root} below a configuration folder (the service has its own). */
    public static Path rootDirectory(Path configDir, Path root) {
        String name = root.toAbsolutePath().normalize().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return configDir.resolve("roots").resolve(name);
    }

    /** Hopwire's configuration folder: {@code $XDG_CONFIG_HOME/hopwire}, else {@code ~/.config/hopwire}. */
    public static Path configDirectory() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("hopwire");
    }
}
