package org.hopwire.gst;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A problem reads as GStreamer's message plus the human part of its debug text, never its source-file line. */
class MediaProblemTest {
    private static MediaProblem problem(String message, String debug) {
        return new MediaProblem(MediaProblem.Severity.ERROR, "lend-v4l2:/dev/video0", "src", message, debug,
                "gst-resource-error-quark", 9);
    }

    @Test
    void shouldLeaveOutGStreamersSourceLineAndKeepWhatFollows() {
        MediaProblem p = problem("Could not read from resource.",
                "../sys/v4l2/gstv4l2src.c(1123): gst_v4l2src_create (): "
                        + "/GstPipeline:lend-v4l2:/dev/video0/GstV4l2Src:src:\nsystem error: No such device");
        assertEquals("system error: No such device", p.reason());
        assertEquals("Could not read from resource. (system error: No such device)", p.explained());
    }

    @Test
    void shouldKeepADebugTextWithoutASourceLineWhole() {
        MediaProblem p = problem("Could not read from resource.",
                "the test device test:camera was unplugged (No such device)");
        assertEquals("Could not read from resource. (the test device test:camera was unplugged (No such device))",
                p.explained());
    }

    @Test
    void shouldSayOnlyTheMessageWhenTheDebugTextIsOnlyASourceLineOrEmpty() {
        assertEquals("Internal data stream error.", problem("Internal data stream error.",
                "gstbasesrc.c(3132): gst_base_src_loop (): /GstPipeline:p/GstVideoTestSrc:src:").explained());
        assertEquals("Internal data stream error.", problem("Internal data stream error.", "").explained());
    }

    @Test
    void shouldFallBackToTheDebugTextWhenThereIsNoMessage() {
        assertEquals("streaming stopped, reason not-negotiated (-4)", problem("",
                "gstbasesrc.c(3132): gst_base_src_loop (): /GstPipeline:p/GstVideoTestSrc:src:\n"
                        + "streaming stopped, reason not-negotiated (-4)").explained());
    }
}
