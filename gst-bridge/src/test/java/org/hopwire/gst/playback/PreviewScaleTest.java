package org.hopwire.gst.playback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.MediaFrame;
import org.junit.jupiter.api.Test;

/** The preview is a look at the stream: larger pictures are shrunk to fit 1280x720, smaller ones are left alone. */
class PreviewScaleTest {
    @org.junit.jupiter.api.BeforeAll
    static void gstreamer() {
        org.hopwire.gst.GstAssume.installed();
    }

    private static PreviewFrame firstPicture(int width, int height) throws Exception {
        String caps = "video/x-raw,format=NV12,width=" + width + ",height=" + height + ",framerate=30/1";
        try (Playback p = Playback.start("scale-" + width, caps, Outputs.PREVIEW, new Playback.Listener() { })) {
            ByteBuffer nv12 = ByteBuffer.allocateDirect(width * height * 3 / 2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            PreviewFrame f = null;
            for (int i = 0; f == null && System.nanoTime() < deadline; i++) {
                p.push(new MediaFrame(0, i, i * 33_333_333L, -1, 33_333_333L, FragmentHeader.KEY_FRAME,
                        nv12.duplicate()));
                Thread.sleep(30);
                f = p.preview().take();
            }
            assertNotNull(f, "a picture reached the preview");
            return f;
        }
    }

    @Test
    void shouldShrinkA1080pPictureTo720pForThePreview() throws Exception {
        PreviewFrame f = firstPicture(1920, 1080);
        assertEquals(Playback.PREVIEW_MAX_WIDTH, f.width());
        assertEquals(Playback.PREVIEW_MAX_HEIGHT, f.height());
        assertEquals(f.width() * f.height() * 4, f.pixels().remaining());
        f.close();
    }

    @Test
    void shouldLeaveASmallPictureAtItsOwnSize() throws Exception {
        PreviewFrame f = firstPicture(320, 240);
        assertEquals(320, f.width());
        assertEquals(240, f.height());
        f.close();
    }
}
