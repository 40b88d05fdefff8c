package org.hopwire.gst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GstRuntimeTest {
    private static GstRuntime.GstVersion version;

    @BeforeAll
    static void gstreamer() {
        try {
            version = GstRuntime.init();
        } catch (GStreamerUnavailableException e) {
            assumeTrue(false, "GStreamer is not installed: " + e.getMessage());
        }
    }

    @Test
    void shouldReportGStreamerOneVersion() {
        assertEquals(1, version.major());
        assertTrue(version.minor() >= 16, version.toString());
    }

    @Test
    void shouldRunATestSourceToEndOfStream() throws Exception {
        assumeTrue(GstRuntime.hasElement("videotestsrc"), "needs videotestsrc (gstreamer1.0-plugins-base)");
        GstRuntime.runToEos("videotestsrc num-buffers=10 ! video/x-raw,width=64,height=48 ! fakesink",
                Duration.ofSeconds(10));
    }

    @Test
    void shouldNameTheElementThatFailed() throws Exception {
        assumeTrue(GstRuntime.hasElement("filesrc"), "needs filesrc (GStreamer core)");
        GstPipelineException e = assertThrows(GstPipelineException.class, () -> GstRuntime.runToEos(
                "filesrc name=missing location=/nonexistent/hopwire ! fakesink", Duration.ofSeconds(10)));
        assertEquals("missing", e.element());
    }

    @Test
    void shouldKnowWhichElementsAreMissing() throws Exception {
        assertFalse(GstRuntime.hasElement("hopwire-no-such-element"));
    }
}
