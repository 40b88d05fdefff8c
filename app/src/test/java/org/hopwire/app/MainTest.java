package org.hopwire.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.hopwire.engine.Fabrics;
import org.junit.jupiter.api.Test;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldListTheDemoPeerHeadless() {
        assertEquals(0, run("--fabric=emulated", "list"), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("Emulated fabric (chosen with --fabric=emulated)"), text);
        assertTrue(text.contains(Fabrics.DEMO_PEER_NAME), text);
        assertTrue(text.contains("USB4STREAM: 0-1.0"), text);
        assertTrue(text.contains("Streams: none"), "a session makes its streams; listing makes none: " + text);
    }

    @Test
    void shouldExplainBadArgumentsWithStatusTwo() {
        assertEquals(2, run("--fabric=usb"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("use auto, kernel or emulated"));
        assertEquals(2, run("lsit"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown argument 'lsit'"));
    }

    @Test
    void shouldSayWhatIsMissingWhenTheKernelFabricIsForced() {
        // These machines have no USB4 controller; where one exists this case says nothing.
        if (Fabrics.kernelUnavailableReason().isEmpty()) {
            return;
        }
        assertEquals(1, run("--fabric=kernel", "list"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("choose the emulated fabric"),
                err.toString(StandardCharsets.UTF_8));
    }
}
