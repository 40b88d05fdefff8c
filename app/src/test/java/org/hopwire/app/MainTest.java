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
    void shouldSayItsVersion() {
        assertEquals(0, run("--version"));
        assertEquals("Hopwire " + org.hopwire.app.core.Services.VERSION,
                out.toString(StandardCharsets.UTF_8).strip());
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

    @Test
    void shouldListAHostOfTheEmulatorUnderItsRoot() throws Exception {
        org.hopwire.engine.testbed.KernelOverFuseTestbed.assumeFuse();
        java.nio.file.Path mount = java.nio.file.Files.createTempDirectory("hopwire-main-");
        try (org.hopwire.engine.emulator.Emulator e = org.hopwire.engine.emulator.Emulator.start(
                new org.hopwire.engine.emulator.Emulator.Options(mount, List.of("alpha", "beta"),
                        org.hopwire.engine.fabric.emulated.CableProfile.UNTHROTTLED,
                        org.hopwire.engine.fabric.emulated.EmulatedWorld.Settings.DEFAULT,
                        java.util.Optional.empty()))) {
            assertEquals(0, run("--root", mount.resolve("alpha").toString(), "list"),
                    err.toString(StandardCharsets.UTF_8));
            String text = out.toString(StandardCharsets.UTF_8);
            assertTrue(text.startsWith("Kernel fabric under " + mount.resolve("alpha")), text);
            assertTrue(text.contains("This host: " + e.host("alpha").uuid()), text);
            assertTrue(text.contains("beta") && text.contains("USB4STREAM: 0-1.0"), text);
        } finally {
            java.nio.file.Files.deleteIfExists(mount);
        }
    }

    @Test
    void shouldSayHowToGetARootWhenTheFolderHasNoKernelInterface() throws Exception {
        java.nio.file.Path empty = java.nio.file.Files.createTempDirectory("hopwire-empty-root-");
        try {
            assertEquals(1, run("--root=" + empty, "list"));
            String text = err.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("nothing to run on under " + empty) && text.contains("hopwire emulate --mount"),
                    text);
        } finally {
            java.nio.file.Files.deleteIfExists(empty);
        }
    }

    @Test
    void shouldParseTheEmulatorsOptionsAndRefuseWhatMakesNoSense() {
        LaunchOptions o = LaunchOptions.parse(List.of("emulate", "--mount", "/tmp/x", "--hosts=a,b,c", "--preset",
                "UNTHROTTLED"));
        assertEquals("emulate", o.command());
        LaunchOptions.EmulateOptions e = o.emulate().orElseThrow();
        assertEquals(java.nio.file.Path.of("/tmp/x"), e.mount());
        assertEquals(List.of("a", "b", "c"), e.hosts());
        assertEquals("unthrottled", e.preset());
        assertEquals(2, run("emulate"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("emulate needs --mount DIR"));
        assertEquals(2, run("emulate", "--mount", "/tmp/x", "--preset", "80g"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("use 40g or unthrottled"));
        assertEquals(2, run("--root", "/tmp/x", "--fabric=emulated"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("does not go with --fabric=emulated"));
        assertEquals(2, run("--root"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--root needs a value"));
        assertEquals(1, run("emulate", "--mount", "/tmp/x", "--hosts", "alpha,Alpha"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot name a host"),
                err.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("emulate", "--mount", "/tmp/x", "--user", "no-such-user-here"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("there is no user 'no-such-user-here'"));
        assertEquals(2, run("emulate", "--mount", "/tmp/x", "--device-group", "no-such-group-here"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("there is no group 'no-such-group-here'"));
    }
}
