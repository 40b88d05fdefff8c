package org.hopwire.gst;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** For tests that need GStreamer: skipped, with the reason, on a machine without it. */
public final class GstAssume {
    private GstAssume() {
    }

    /** Initialises GStreamer, or skips the calling test class saying what is missing. */
    public static void installed() {
        try {
            GstRuntime.init();
        } catch (GStreamerUnavailableException e) {
            assumeTrue(false, "GStreamer is not installed: " + e.getMessage());
        }
    }
}
