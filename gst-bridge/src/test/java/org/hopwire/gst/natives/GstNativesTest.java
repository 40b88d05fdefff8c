package org.hopwire.gst.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;

import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.BusSyncReply;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.message.MessageType;
import org.hopwire.gst.GstAssume;
import org.hopwire.gst.GstRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bus errors are read whole, and reading them frees only what GStreamer allocated. */
class GstNativesTest {
    @BeforeAll
    static void gstreamer() throws Exception {
        GstAssume.installed();
        GstRuntime.init();
    }

    @Test
    void theTestJvmHasGLibCheckEveryFreedSlice() {
        // Without it a free of foreign memory into GLib's allocator passes here and crashes some later test.
        assertEquals("debug-blocks", System.getenv("G_SLICE"),
                "surefire sets G_SLICE=debug-blocks (root pom); run the tests through Maven");
    }

    @Test
    void shouldReadAnErrorsTextDomainCodeAndDebugTextAgainAndAgain() {
        Pipeline pipeline = new Pipeline("natives-test");
        Element source = ElementFactory.make("fakesrc", "camera-source");
        pipeline.add(source);
        List<GstNatives.ErrorDetail> seen = new ArrayList<>();
        Bus bus = pipeline.getBus();
        bus.setSyncHandler(message -> {
            if (message.getType() == MessageType.ERROR) {
                seen.add(GstNatives.errorDetail(message, false));
            }
            return BusSyncReply.DROP;
        });
        try {
            // Thousands: a wrong free into the slice allocator (gst1-java-core's ErrorMessage.getMessage) is caught
            // by G_SLICE=debug-blocks at the first, and corrupts the heap visibly well before the last without it.
            for (int i = 0; i < 2000; i++) {
                GstNatives.postResourceError(source, 3, "Could not open device " + i + " for reading",
                        "v4l2_calls.c(637): gst_v4l2_open (): /GstPipeline:natives-test/GstFakeSrc:camera-source");
            }
        } finally {
            bus.clearSyncHandler();
            pipeline.dispose();
        }
        assertEquals(2000, seen.size());
        GstNatives.ErrorDetail last = seen.get(1999);
        assertNotNull(last);
        assertEquals("Could not open device 1999 for reading", last.text());
        assertEquals("gst-resource-error-quark", last.domain());
        assertEquals(3, last.code());
        assertEquals("v4l2_calls.c(637): gst_v4l2_open (): /GstPipeline:natives-test/GstFakeSrc:camera-source",
                last.debug());
    }
}
