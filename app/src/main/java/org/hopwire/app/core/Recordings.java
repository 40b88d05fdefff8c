package org.hopwire.app.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where recordings go and what they are called: the desktop's videos folder (freedesktop user-dirs:
 * {@code XDG_VIDEOS_DIR}, as {@code xdg-user-dir VIDEOS} reads it, else {@code ~/Videos}) under {@code Hopwire/}, one
 * file per recording named after the device and the time ("Test camera 2026-12-06 19-05-12.mkv").
 */
public final class Recordings {
    /** The folder below the videos folder that Hopwire's recordings go into. */
    public static final String SUBFOLDER = "Hopwire";
    private static final Pattern USER_DIR = Pattern.compile("^\\s*XDG_VIDEOS_DIR\\s*=\\s*\"([^\"]*)\"\\s*$");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH-mm-ss");

    private Recordings() {
    }

    /** This person's folder for Hopwire's recordings (not created: {@link #prepare} does that). */
    public static Path folder() {
        return folder(System.getenv(), home());
    }

    /** The home folder: {@code $HOME} as the desktop sets it, else Java's idea of it (from the password file). */
    public static Path home() {
        String home = System.getenv("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }

    /** The same with another environment and home, for tests. */
    static Path folder(Map<String, String> env, Path home) {
        return videosFolder(env, home).resolve(SUBFOLDER);
    }

    /**
     * The videos folder: {@code XDG_VIDEOS_DIR} from the environment, else from {@code user-dirs.dirs} in the
     * configuration folder, else {@code ~/Videos}. A value equal to the home folder means "no videos folder" in the
     * freedesktop spec, so it falls back too.
     */
    static Path videosFolder(Map<String, String> env, Path home) {
        Optional<Path> fromEnv = Optional.ofNullable(env.get("XDG_VIDEOS_DIR")).filter(v -> !v.isBlank())
                .map(v -> expand(v, home));
        String config = env.getOrDefault("XDG_CONFIG_HOME", "");
        Path configDir = config.isBlank() ? home.resolve(".config") : Path.of(config);
        Optional<Path> chosen = fromEnv.or(() -> fromUserDirs(configDir.resolve("user-dirs.dirs"), home));
        return chosen.filter(p -> p.isAbsolute() && !p.normalize().equals(home.normalize()))
                .orElse(home.resolve("Videos"));
    }

    private static Optional<Path> fromUserDirs(Path file, Path home) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String line : lines) {
                Matcher m = USER_DIR.matcher(line);
                if (m.matches()) {
                    return Optional.of(expand(m.group(1), home));
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** {@code "$HOME/Videos"} as the file writes it: only {@code $HOME} is expanded, as the spec allows. */
    private static Path expand(String value, Path home) {
        String v = value.replace("\\\"", "\"");
        if (v.startsWith("$HOME")) {
            return Path.of(home.toString() + v.substring("$HOME".length()));
        }
        return Path.of(v);
    }

    /**
     * The file name for a recording of {@code device} started at {@code at}: the device's name with characters that
     * file systems or shells trip on replaced, then the date and time ("Test camera 2026-12-06 19-05-12.mkv").
     */
    public static String fileName(String device, LocalDateTime at) {
        String safe = device.replaceAll("[/\\\\:*?\"<>|\\p{Cntrl}]+", "-").replaceAll("\\s+", " ").trim();
        safe = safe.replaceAll("^[.-]+", "");
        if (safe.length() > 80) {
            safe = safe.substring(0, 80).trim();
        }
        return (safe.isEmpty() ? org.hopwire.app.text.Text.tr("recording.file.unnamed") : safe) + " " + at.format(STAMP) + ".mkv";
    }

    /** Creates {@code folder} when it is missing; returns it. */
    public static Path prepare(Path folder) throws IOException {
        return Files.createDirectories(folder);
    }

    /** "2.4 MB", "830 kB": a recording's size as people read it. */
    public static String size(long bytes) {
        if (bytes < 1000) {
            return org.hopwire.app.text.Text.tr("recording.size.bytes", bytes);
        }
        if (bytes < 1_000_000) {
            return org.hopwire.app.text.Text.tr("recording.size.kb", bytes / 1e3);
        }
        if (bytes < 1_000_000_000L) {
            return org.hopwire.app.text.Text.tr("recording.size.mb", bytes / 1e6);
        }
        return org.hopwire.app.text.Text.tr("recording.size.gb", bytes / 1e9);
    }

    /** "1:05" or "1:02:03": a recording's length. */
    public static String length(java.time.Duration d) {
        long s = Math.max(0, d.getSeconds());
        return s >= 3600 ? String.format(java.util.Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(java.util.Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** "~/Videos/Hopwire" for a folder below the home folder, else the whole path. */
    public static String shown(Path folder) {
        Path home = home();
        return folder.startsWith(home) && !folder.equals(home) ? "~/" + home.relativize(folder) : folder.toString();
    }
}
