package org.hopwire.gst.playback;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.hopwire.gst.GstPipelineException;
import org.junit.jupiter.api.Test;

/** Without a sound server, a virtual microphone fails with what to do (this JVM's PULSE_SERVER is the tests'). */
@org.junit.jupiter.api.Tag("sound-server") // run in a JVM of their own: see gst-bridge/pom.xml
class VirtualMicrophoneNoServerTest {
    @Test
    void shouldSayHowToStartASoundServerWhenNoneAnswers() {
        String server = System.getenv("PULSE_SERVER");
        assumeTrue(server != null && server.startsWith("unix:"), "PULSE_SERVER names the tests' own server");
        assumeTrue(!Files.exists(Path.of(server.substring("unix:".length()))),
                "the tests' sound server is running now");
        GstPipelineException e = assertThrows(GstPipelineException.class,
                () -> VirtualMicrophone.create("Test microphone on Demo laptop", 48000, 1));
        assertTrue(e.getMessage().contains("pipewire-pulse") && e.getMessage().contains("PulseAudio"),
                e.getMessage());
    }
}
