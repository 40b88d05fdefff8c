package org.hopwire.engine.fabric.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under a German locale the errno still arrives as a number, while Java's own file API would have given only the
 * translated {@code strerror} text.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ErrnoLocaleTest {
    private static final String LOCALE = "de_DE.UTF-8";

    @TempDir
    Path dir;

    @Test
    void shouldReportErrnoNumbersUnderAGermanLocaleWhereJavaOnlyGivesGermanText() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path fifo = Fifos.make(dir.resolve("fifo"));
        Map<String, String> got = probe(empty, fifo);

        assertEquals("EBUSY", got.get("rmdir-root"), got.toString());
        assertEquals("EINVAL", got.get("rmdir-dot"), got.toString());
        assertEquals("ENXIO", got.get("open-fifo"), got.toString());

        String java = got.getOrDefault("java", "");
        assumeTrue(java.contains("belegt") || java.contains("Gerät") || java.contains("Ressource"),
                LOCALE + " is not installed: run ./run-tests as root, or `sudo localedef -i de_DE -f UTF-8 "
                        + LOCALE + "` (Java said: " + java + ")");
        // What matching the text would have read: not EBUSY.
        assertFalse(java.contains("Device or resource busy"), java);
    }

    /** Runs {@link ErrnoLocaleProbe} in a JVM of its own, with the locale set as a German system would. */
    private static Map<String, String> probe(Path empty, Path fifo) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                ErrnoLocaleProbe.class.getName(), empty.toString(), fifo.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LC_ALL", LOCALE);
        pb.environment().put("LANG", LOCALE);
        // LANGUAGE would override the message language of LC_ALL.
        pb.environment().remove("LANGUAGE");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe JVM did not finish");
        assertEquals(0, p.exitValue(), output);
        Map<String, String> got = new HashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                got.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return got;
    }
}
