package org.hopwire.gst;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Where a pipeline's problem came from, read from GStreamer's path of its source (no GStreamer needed). */
class PipelinePathTest {
    @Test
    void shouldKeepAPipelineNameWithADevicePathWhole() {
        assertEquals(List.of("lend-v4l2:/dev/video0", "branch1", "queue3"), PipelineHost.splitPath(
                "/GstPipeline:lend-v4l2:/dev/video0/GstBin:branch1/GstQueue:queue3", "lend-v4l2:/dev/video0"));
        assertEquals(List.of("lend-test:camera", "src", "videotestsrc0"), PipelineHost.splitPath(
                "/GstPipeline:lend-test:camera/GstBin:src/GstVideoTestSrc:videotestsrc0", "lend-test:camera"));
        assertEquals(List.of("lend-test:camera"), PipelineHost.splitPath("/GstPipeline:lend-test:camera",
                "lend-test:camera"));
    }

    @Test
    void shouldSplitASourceOutsideThePipelineByItsOwnNames() {
        // A branch already taken off: its elements' path no longer starts at the pipeline.
        assertEquals(List.of("branch1", "out"), PipelineHost.splitPath("/GstBin:branch1/GstAppSink:out",
                "lend-test:camera"));
        assertEquals(List.of("lend-test:cameraX", "b"), PipelineHost.splitPath("/GstPipeline:lend-test:cameraX/GstBin:b",
                "lend-test:camera"));
    }
}
