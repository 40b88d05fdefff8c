package org.hopwire.app.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class TextTest {
    @Test
    void aKeyGivesItsTextWithTheArgumentsPutIn() {
        assertEquals("This host", Text.tr("this.host"));
        assertThrows(IllegalArgumentException.class, () -> Text.tr("no.such.key"));
    }

    /** A sentence's format is kept and shared: threads formatting it at once each get their own numbers right. */
    @Test
    void aKeptFormatGivesEachThreadItsOwnNumbers() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<List<String>>> wrong = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int base = t * 100_000;
                wrong.add(pool.submit(() -> {
                    List<String> bad = new ArrayList<>();
                    java.text.NumberFormat own = java.text.NumberFormat.getIntegerInstance(java.util.Locale.ROOT);
                    for (int i = 0; i < 20_000; i++) {
                        String said = Text.tr(java.util.Locale.ROOT, "link.count", base + i);
                        if (!said.equals(own.format(base + i))) {
                            bad.add(said + " for " + (base + i));
                        }
                    }
                    return bad;
                }));
            }
            for (var f : wrong) {
                assertEquals(List.of(), f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals("1,5", Text.tr(java.util.Locale.GERMANY, "link.fps", 1.5), "each locale its own format");
        assertEquals("1.5", Text.tr(java.util.Locale.ROOT, "link.fps", 1.5));
    }

    /** Every key the sources name literally is in the bundle, and every pattern in it parses. */
    @Test
    void everyKeyTheSourcesUseIsInTheBundle() throws IOException {
        Pattern use = Pattern.compile("Text\\.tr\\(\\s*(?:[A-Za-z.]+,\\s*)?\"([^\"]+)\"");
        List<String> missing = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = use.matcher(Files.readString(f));
                while (m.find()) {
                    if (!Text.has(m.group(1))) {
                        missing.add(f.getFileName() + ": " + m.group(1));
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), "keys missing from Messages.properties: " + missing);
        Properties p = new Properties();
        try (var in = Text.class.getResourceAsStream("Messages.properties")) {
            p.load(in);
        }
        for (String key : p.stringPropertyNames()) {
            new java.text.MessageFormat(p.getProperty(key), Locale.ROOT); // throws on a broken pattern
        }
    }
}
