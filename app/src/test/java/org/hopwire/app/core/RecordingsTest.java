package org.hopwire.app.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recordings go to the desktop's videos folder under Hopwire/, named after the device and the time. */
class RecordingsTest {
    @TempDir
    Path home;

    @Test
    void shouldUseTheVideosFolderTheDesktopNames() throws Exception {
        Path config = Files.createDirectories(home.resolve(".config"));
        Files.writeString(config.resolve("user-dirs.dirs"), String.join("\n",
                "# written by xdg-user-dirs-update",
                "XDG_DESKTOP_DIR=\"$HOME/Desktop\"",
                "XDG_VIDEOS_DIR=\"$HOME/Filme\"", ""));
        assertEquals(home.resolve("Filme/Hopwire"), Recordings.folder(Map.of(), home));
    }

    @Test
    void shouldReadUserDirsFromXdgConfigHomeAndPreferTheEnvironment() throws Exception {
        Path config = Files.createDirectories(home.resolve("elsewhere"));
        Files.writeString(config.resolve("user-dirs.dirs"), "XDG_VIDEOS_DIR=\"/srv/media/videos\"\n");
        assertEquals(Path.of("/srv/media/videos/Hopwire"),
                Recordings.folder(Map.of("XDG_CONFIG_HOME", config.toString()), home));
        assertEquals(home.resolve("Clips/Hopwire"), Recordings.folder(Map.of("XDG_CONFIG_HOME", config.toString(),
                "XDG_VIDEOS_DIR", "$HOME/Clips"), home));
    }

    @Test
    void shouldFallBackToVideosInTheHomeFolder() throws Exception {
        assertEquals(home.resolve("Videos/Hopwire"), Recordings.folder(Map.of(), home), "no user-dirs.dirs");
        Path config = Files.createDirectories(home.resolve(".config"));
        Files.writeString(config.resolve("user-dirs.dirs"), "XDG_VIDEOS_DIR=\"$HOME/\"\n");
        assertEquals(home.resolve("Videos/Hopwire"), Recordings.folder(Map.of(), home),
                "the home folder itself means the desktop has no videos folder");
        Files.writeString(config.resolve("user-dirs.dirs"), "XDG_VIDEOS_DIR=\"relative/path\"\n");
        assertEquals(home.resolve("Videos/Hopwire"), Recordings.folder(Map.of(), home), "not an absolute path");
    }

    @Test
    void shouldCreateTheFolderWhenNeeded() throws Exception {
        Path folder = Recordings.folder(Map.of(), home);
        assertTrue(!Files.exists(folder));
        assertEquals(folder, Recordings.prepare(folder));
        assertTrue(Files.isDirectory(folder));
        Recordings.prepare(folder); // again: already there is fine
    }

    @Test
    void shouldNameTheFileAfterTheDeviceAndTheTimeInSafeCharacters() {
        LocalDateTime at = LocalDateTime.of(2026, 12, 6, 19, 5, 12);
        assertEquals("Test camera 2026-12-06 19-05-12.mkv", Recordings.fileName("Test camera", at));
        assertEquals("HD Pro Webcam C920- front 2026-12-06 19-05-12.mkv",
                Recordings.fileName("HD Pro Webcam C920: front", at));
        assertEquals("a-b-c 2026-12-06 19-05-12.mkv", Recordings.fileName("a/b\\c", at));
        assertEquals("Recording 2026-12-06 19-05-12.mkv", Recordings.fileName("../", at));
        assertEquals("Recording 2026-12-06 19-05-12.mkv", Recordings.fileName("  ", at));
    }

    @Test
    void shouldSayLengthAndSizeAsPeopleReadThem() {
        assertEquals("0:42", Recordings.length(Duration.ofSeconds(42)));
        assertEquals("1:02:03", Recordings.length(Duration.ofSeconds(3723)));
        java.util.Locale was = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.ENGLISH);
            assertEquals("12.3 MB", Recordings.size(12_345_678));
            assertEquals("830 kB", Recordings.size(830_000));
            assertEquals("12 bytes", Recordings.size(12));
        } finally {
            java.util.Locale.setDefault(was);
        }
    }
}
