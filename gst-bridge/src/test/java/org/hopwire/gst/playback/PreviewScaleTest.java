package org.hopwire.gst.playback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.MediaFrame;
import org.junit.jupiter.api.Test;

/**
 * The preview is a look at the stream: larger pictures are shrunk to fit 1280x720, or the smaller box the preview
 * takes on the screen, with their shape kept; smaller ones are left alone.
 */
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

    /** Pushes frames of {@code width} x {@code height} until the preview shows a picture of the size expected. */
    private static void awaitPictureOf(Playback p, int width, int height, int expectedWidth, int expectedHeight)
            throws Exception {
        ByteBuffer nv12 = ByteBuffer.allocateDirect(width * height * 3 / 2);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String seen = "none";
        for (int i = 0; System.nanoTime() < deadline; i++) {
            p.push(new MediaFrame(0, i, i * 33_333_333L, -1, 33_333_333L, FragmentHeader.KEY_FRAME,
                    nv12.duplicate()));
            Thread.sleep(30);
            PreviewFrame f = p.preview().take();
            if (f != null) {
                seen = f.width() + "x" + f.height();
                boolean expected = f.width() == expectedWidth && f.height() == expectedHeight;
                assertEquals(f.width() * f.height() * 4, f.pixels().remaining());
                f.close();
                if (expected) {
                    return;
                }
            }
        }
        throw new AssertionError("no picture of " + expectedWidth + "x" + expectedHeight + " from " + width + "x"
                + height + " in the box " + java.util.Arrays.toString(p.previewBox()) + "; last one " + seen);
    }

    @Test
    void shouldFitThePicturesToTheBoxThePreviewTakesOnTheScreenAndKeepItForANewFormat() throws Exception {
        String caps = "video/x-raw,format=NV12,width=1920,height=1080,framerate=30/1";
        try (Playback p = Playback.start("box", caps, Outputs.PREVIEW, new Playback.Listener() { })) {
            awaitPictureOf(p, 1920, 1080, 1280, 720);
            // A docked preview of 540x202 pixels: the picture's height decides, its shape is kept.
            p.fitPreview(540, 202);
            awaitPictureOf(p, 1920, 1080, 359, 202);
            // The owner changes the format: the rebuilt pipeline keeps the box.
            p.changeCaps("video/x-raw,format=NV12,width=640,height=480,framerate=30/1");
            awaitPictureOf(p, 640, 480, 269, 202);
            // A box larger than the preview's largest, or smaller than its smallest, is held to them; never enlarged.
            p.fitPreview(5000, 5000);
            assertEquals(java.util.List.of(Playback.PREVIEW_MAX_WIDTH, Playback.PREVIEW_MAX_HEIGHT),
                    java.util.Arrays.stream(p.previewBox()).boxed().toList());
            awaitPictureOf(p, 640, 480, 640, 480);
            p.fitPreview(0, -3);
            awaitPictureOf(p, 640, 480, 16, 12);
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
