package org.hopwire.gst.playback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.HeadlessPipeWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sound server's virtual microphone on a private headless PipeWire with pipewire-pulse. */
@org.junit.jupiter.api.Tag("sound-server") // run in a JVM of their own: see gst-bridge/pom.xml
class VirtualMicrophoneTest {
    private static HeadlessPipeWire pw;

    @BeforeAll
    static void pipewire() throws Exception {
        pw = HeadlessPipeWire.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pw != null) {
            pw.close();
        }
    }

    @Test
    void shouldPublishANamedAudioSourceAndRemoveItWhenClosed() throws Exception {
        String source;
        try (VirtualMicrophone mic = VirtualMicrophone.create("Test microphone on Demo laptop", 48000, 1)) {
            source = mic.sourceName();
            assertEquals("Test microphone on Demo laptop (Hopwire)", mic.name());
            assertTrue(pw.pactlList("sources").contains(source), pw.pactlList("sources"));
            // What programs see: an Audio/Source node with the device's and the peer's name.
            String node = pw.run("pw-cli", "ls", "Node").out();
            int at = node.indexOf("node.name = \"" + source + "\"");
            assertTrue(at > 0, node);
            String block = node.substring(node.lastIndexOf("\tid ", at), Math.min(node.length(), at + 200));
            assertTrue(block.contains("media.class = \"Audio/Source\""), block);
            assertTrue(node.contains("\"Test microphone on Demo laptop (Hopwire)\""), node);
        }
        assertFalse(pw.pactlList("sources").contains(source), pw.pactlList("sources"));
        assertFalse(pw.pactlList("modules").contains(source), pw.pactlList("modules"));
    }

    @Test
    void shouldRemoveOnlyTheLeftoversOfAKilledProcess(@TempDir Path dir) throws Exception {
        // A virtual microphone of a Hopwire that still runs (this one; its first one also cleaned up once), another
        // program's null sink, and a process that publishes one the way Hopwire does, under its own pid, and is
        // killed.
        try (VirtualMicrophone live = VirtualMicrophone.create("Live microphone on Demo laptop", 48000, 1)) {
            int other = Integer.parseInt(pw.run("pactl", "load-module", "module-null-sink", "sink_name=other.sink")
                    .out().trim());
            try {
                String label = VirtualMicrophone.label("Crashed microphone on Demo laptop");
                String script = "set -e; "
                        + pactl(VirtualMicrophone.nullSinkArgs("hopwire.feed.$$.0", label, 48000, 1)) + " >&2; "
                        + pactl(VirtualMicrophone.remapSourceArgs("hopwire.feed.$$.0", "hopwire.mic.$$.0", label, 1))
                        + " >&2; echo $$; exec sleep 60";
                Path out = dir.resolve("out.txt");
                Process watcher = pw.launch(out, "sh", "-c", script);
                Transfers.await(() -> !watcher.isAlive() || out.toFile().length() > 0, Duration.ofSeconds(10),
                        "the other process's microphone");
                assertTrue(watcher.isAlive(), "the script failed: " + pw.pactlList("modules"));
                long pid = Long.parseLong(java.nio.file.Files.readString(out).trim());
                ProcessHandle crashed = ProcessHandle.of(pid).orElseThrow();
                String dead = "hopwire.mic." + pid + ".0";
                crashed.destroyForcibly(); // SIGKILL: nothing of it runs to clean up
                crashed.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
                HeadlessPipeWire.stop(watcher);
                assertTrue(pw.pactlList("sources").contains(dead), pw.pactlList("sources"));

                assertEquals(2, VirtualMicrophone.cleanUpLeftovers());

                String sources = pw.pactlList("sources");
                assertFalse(sources.contains(dead), sources);
                assertFalse(pw.pactlList("sinks").contains("hopwire.feed." + pid), pw.pactlList("sinks"));
                assertTrue(sources.contains(live.sourceName()), sources);
                assertTrue(pw.pactlList("sinks").contains("other.sink"), pw.pactlList("sinks"));
                assertEquals(0, VirtualMicrophone.cleanUpLeftovers());
            } finally {
                pw.run("pactl", "unload-module", Integer.toString(other));
            }
        }
    }

    private static String pactl(List<String> args) {
        List<String> quoted = new ArrayList<>();
        quoted.add("pactl");
        for (String a : args) {
            // $$ must expand; everything else is taken literally.
            quoted.add("'" + a.replace("'", "'\\''").replace("$$", "'$$'") + "'");
        }
        return String.join(" ", quoted);
    }
}
