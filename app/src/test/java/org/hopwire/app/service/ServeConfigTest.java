package org.hopwire.app.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service's config file: what a valid one grants, and each mistake reported on its line with a fix. */
class ServeConfigTest {
    private static final UUID LAPTOP = UUID.fromString("6f1c9d2e-4b7a-4c3e-9f10-2a5b8c7d0e11");
    private static final UUID DESK = UUID.fromString("0a0b0c0d-1111-4222-8333-444455556666");

    @TempDir
    Path dir;

    private static ServeConfig parse(String... lines) throws ServeConfig.Invalid {
        return ServeConfig.parse(List.of(lines), "serve.conf");
    }

    private static List<String> problems(String... lines) {
        return assertThrows(ServeConfig.Invalid.class, () -> parse(lines)).problems();
    }

    @Test
    void shouldGrantListedDevicesToPeersNamedByUuidOnly() throws Exception {
        ServeConfig c = parse(
                "# the service",
                "ask-desktop = no   # nobody sits here",
                "question-timeout = 2min",
                "",
                "[peer " + LAPTOP + "]   # Demo laptop",
                "allow = test:camera",
                "allow = video:/dev/video0, audio:alsa_input.usb-046d_C920-02.analog-stereo",
                "[ peer " + DESK.toString().toUpperCase() + " ]");
        assertFalse(c.askDesktop());
        assertEquals(Duration.ofMinutes(2), c.questionTimeout());
        assertEquals(Optional.of(6), c.allows(LAPTOP, "test:camera"));
        assertEquals(Optional.of(7), c.allows(LAPTOP, "video:/dev/video0"));
        assertEquals(Optional.of(7), c.allows(LAPTOP, "audio:alsa_input.usb-046d_C920-02.analog-stereo"));
        assertEquals(Optional.empty(), c.allows(LAPTOP, "test:microphone"), "only what is listed");
        assertEquals(Optional.empty(), c.allows(DESK, "test:camera"), "a peer with no allow lines gets nothing");
        assertEquals(Optional.empty(), c.allows(UUID.randomUUID(), "test:camera"));
    }

    @Test
    void shouldLetListedPeersAdjustListedDevicesOnly() throws Exception {
        ServeConfig c = parse(
                "[peer " + LAPTOP + "]",
                "allow = test:camera, video:/dev/video0",
                "controls = video:/dev/video0   # brightness, focus, zoom too",
                "[peer " + DESK + "]",
                "allow = test:camera");
        assertEquals(Optional.of(3), c.allowsControls(LAPTOP, "video:/dev/video0"));
        assertEquals(Optional.empty(), c.allowsControls(LAPTOP, "test:camera"), "lent, but not adjustable");
        assertEquals(Optional.empty(), c.allowsControls(DESK, "video:/dev/video0"));
        List<String> p = problems("[peer " + LAPTOP + "]", "controls = video:/dev/video0", "controls = banana",
                "controls = video:/dev/video0");
        assertLine(p, 3, "'banana' is not a device id");
        assertLine(p, 4, "video:/dev/video0 is adjustable already at line 2");
    }

    @Test
    void shouldNeverTakeAPeersNameForItsIdentity() {
        List<String> p = problems("[peer Demo laptop]", "allow = test:camera");
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("line 1: 'Demo laptop' is not a host UUID"), p.get(0));
        assertTrue(p.get(0).contains("hopwire peers") && p.get(0).contains("grants nothing"), p.get(0));
    }

    @Test
    void shouldReportEachMistakeWithItsLineAndWhatToWrite() {
        List<String> p = problems(
                "ask-desktop = maybe",                                  // 1
                "question-timeout = 2 days",                            // 2
                "colour = blue",                                        // 3
                "allow = test:camera",                                  // 4
                "[host " + LAPTOP + "]",                                // 5
                "allow = test:camera",                                  // 6: under a bad header, not checked again
                "[peer 6f1c9d2e-4b7a-4c3e-9f10-2a5b8c7d0e1]",           // 7: one digit short
                "[peer " + LAPTOP + "]",                                // 8
                "allow = Webcam C920",                                  // 9
                "allow = test:speaker",                                 // 10
                "allow = test:camera,,",                                // 11
                "allow = test:camera",                                  // 12
                "deny = test:microphone",                               // 13
                "ask-desktop = yes",                                    // 14
                "just some words",                                      // 15
                "[peer " + LAPTOP + "]",                                // 16
                "question-timeout = 1s");                               // 17 (in a section: misplaced)
        assertLine(p, 1, "write yes or no");
        assertLine(p, 2, "60s, 2min or 1h");
        assertLine(p, 3, "unknown key 'colour'");
        assertLine(p, 4, "'allow' must follow the [peer HOST-UUID]");
        assertLine(p, 5, "unknown section '[host...]'");
        assertLine(p, 7, "is not a host UUID");
        assertLine(p, 9, "'Webcam C920' is not a device id; name a device by the id 'hopwire devices' shows");
        assertLine(p, 10, "write test:camera or test:microphone");
        assertLine(p, 11, "an empty device id");
        assertLine(p, 12, "allowed already at line 11");
        assertLine(p, 13, "unknown key 'deny'; in a [peer ...] section the keys are allow");
        assertLine(p, 14, "'ask-desktop' belongs before the first [peer ...]");
        assertLine(p, 15, "neither 'key = value' nor a [peer HOST-UUID] header");
        assertLine(p, 16, "already has a section at line 8");
        assertLine(p, 17, "belongs before the first");
        assertFalse(p.stream().anyMatch(x -> x.startsWith("line 6:")), "lines under a broken header: " + p);
        assertEquals(16, p.size(), String.join("\n", p));
    }

    @Test
    void shouldKeepTimeoutsWhereAPersonCanAnswer() {
        assertLine(problems("question-timeout = 2s"), 1, "out of range; write 5s to 1h");
        assertLine(problems("question-timeout = 2h"), 1, "out of range");
    }

    private static void assertLine(List<String> problems, int line, String says) {
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("line " + line + ": ") && p.contains(says)),
                "line " + line + " should say '" + says + "':\n" + String.join("\n", problems));
    }

    @Test
    void shouldUseTheSafeDefaultsWhenTheDefaultFileIsMissingButFailWhenANamedOneIs() throws Exception {
        ServeConfig c = ServeConfig.load(dir.resolve("serve.conf"), false);
        assertTrue(c.allowed().isEmpty(), "nothing allowed unattended");
        assertTrue(c.askDesktop());
        assertEquals(ServeConfig.DEFAULT_TIMEOUT, c.questionTimeout());
        ServeConfig.Invalid e = assertThrows(ServeConfig.Invalid.class,
                () -> ServeConfig.load(dir.resolve("serve.conf"), true));
        assertTrue(e.problems().get(0).contains("no such file"), e.problems().toString());
    }

    @Test
    void shouldParseTheShippedExample() throws Exception {
        Path example = Path.of("..", "packaging", "serve.conf.example");
        ServeConfig c = ServeConfig.load(example, true);
        assertTrue(c.allowed().isEmpty(), "the example grants nothing until a person uncomments lines");
        // Uncommenting the example's allow lines gives a valid file that grants them.
        List<String> lines = Files.readAllLines(example).stream()
                .map(l -> l.matches("#\\s*(\\[peer .*|allow = .*)") ? l.replaceFirst("#\\s*", "") : l).toList();
        ServeConfig uncommented = ServeConfig.parse(lines, "example");
        assertFalse(uncommented.allowed().isEmpty(), "the example shows allow lines");
    }
}
