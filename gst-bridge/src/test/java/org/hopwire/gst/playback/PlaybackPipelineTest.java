package org.hopwire.gst.playback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.hopwire.gst.GstPipelineException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The playback pipeline's text for each kind of stream and output, with a made-up set of installed elements. */
class PlaybackPipelineTest {
    private static final Set<String> ALL = Set.of("jpegdec", "h264parse", "avdec_h264", "v4l2sink", "matroskamux");
    private static final String BOX = Playback.boxCaps(Playback.PREVIEW_MAX_WIDTH, Playback.PREVIEW_MAX_HEIGHT);

    @Test
    void shouldDecodeOnlyWhatNeedsDecodingAndKeepEveryQueueLeaky() throws Exception {
        String raw = Playback.describe("video/x-raw,format=NV12,width=64,height=48", Outputs.PREVIEW, false,
                ALL::contains);
        assertTrue(!raw.contains("dec"), raw);
        assertTrue(raw.contains("leaky-type=downstream") && raw.contains("leaky=downstream"), raw);
        assertTrue(raw.contains("appsink name=preview sync=false max-buffers=1 drop=true"), raw);
        assertTrue(Playback.describe("image/jpeg", Outputs.PREVIEW, false, ALL::contains).contains("jpegdec"));
        assertTrue(Playback.describe("video/x-h264", Outputs.PREVIEW, false, ALL::contains)
                .contains("h264parse ! avdec_h264"));
    }

    @Test
    void shouldNameTheMissingPluginsPackage() {
        GstPipelineException e = assertThrows(GstPipelineException.class, () -> Playback.describe("video/x-h264",
                Outputs.PREVIEW, false, Set.of("h264parse")::contains));
        assertTrue(e.getMessage().contains("gstreamer1.0-libav"), e.getMessage());
        GstPipelineException v = assertThrows(GstPipelineException.class, () -> Playback.describe("video/x-raw",
                Outputs.PREVIEW.withVirtualWebcam(Path.of("/dev/video42")), false, Set.of()::contains));
        assertEquals("v4l2sink", v.element());
        assertThrows(GstPipelineException.class, () -> Playback.describe("video/x-vp9", Outputs.PREVIEW, false,
                ALL::contains));
    }

    @Test
    void shouldPublishToTheVirtualWebcamAndRecordWhenAsked() throws Exception {
        String s = Playback.describe("video/x-raw,format=NV12,width=64,height=48",
                Outputs.PREVIEW.withVirtualWebcam(Path.of("/dev/video42")).withRecording(Path.of("/tmp/a.mkv")), false,
                ALL::contains);
        assertTrue(s.contains("v4l2sink device=\"/dev/video42\" sync=false"), s);
        assertTrue(s.contains("videoscale ! videoconvert ! video/x-raw,format=I420,width=64,height=48,"
                + "pixel-aspect-ratio=1/1 ! jpegenc quality=90 ! appsink name=record"), s);
        String stored = RecordingPipeline.storedCapsFor("video/x-raw,format=NV12,width=64,height=48");
        String later = Playback.describe("image/jpeg,width=1280,height=720",
                Outputs.PREVIEW.withRecording(Path.of("/tmp/a.mkv")), false, ALL::contains, stored, Playback.UNUSED_MIC_FEED,
                Playback.UNUSED_CAMERA_SOCKET, BOX);
        assertTrue(later.contains("jpegdec") && later.contains("format=I420,width=64,height=48")
                        && later.contains("jpegenc quality=90 ! appsink name=record"),
                "after a change the recording keeps its first size: " + later);
        String file = RecordingPipeline.describe(stored, Path.of("/tmp/a.mkv"),
                Set.of("matroskamux", "jpegenc")::contains);
        assertTrue(file.contains("! matroskamux name=mux ! filesink name=file sync=false location=\"/tmp/a.mkv\""),
                file);
        assertFalse(file.contains("jpegenc"), "the recording pipeline stores what its branch hands it: " + file);
        String audio = Playback.describe("audio/x-raw,format=S16LE,rate=48000,channels=2", Outputs.SPEAKERS, false,
                ALL::contains);
        assertTrue(audio.contains("autoaudiosink") && !audio.contains("preview"), audio);
    }

    @Test
    void shouldStoreMjpegOfTheFilesSizeAsItCame() throws Exception {
        String mjpeg = "image/jpeg,width=1280,height=720,framerate=30/1";
        String stored = RecordingPipeline.storedCapsFor(mjpeg);
        assertEquals("image/jpeg,width=1280,height=720,framerate=30/1", stored);
        String s = Playback.describe(mjpeg, Outputs.PREVIEW.withRecording(Path.of("/tmp/a.mkv")), false,
                ALL::contains, stored, Playback.UNUSED_MIC_FEED,
                Playback.UNUSED_CAMERA_SOCKET, BOX);
        assertTrue(s.contains("enc. ! queue max-size-buffers=8 max-size-bytes=0 max-size-time=0 leaky=downstream ! "
                + "appsink name=record"), "a webcam's own MJPEG goes into the file without decode or encode: " + s);
        assertEquals(1, s.split("jpegdec", -1).length - 1, "one decoder, for the preview: " + s);
        assertFalse(s.contains("jpegenc"), s);
        // Another rate at the same size still goes in as it came; another size, or a bare byte stream, is encoded.
        assertTrue(RecordingPipeline.storesAsItComes("image/jpeg,width=1280,height=720,framerate=15/1", stored, false));
        assertFalse(RecordingPipeline.storesAsItComes("image/jpeg,width=640,height=480", stored, false));
        assertFalse(RecordingPipeline.storesAsItComes(mjpeg, stored, true));
        assertFalse(RecordingPipeline.storesAsItComes("video/x-raw,width=1280,height=720", stored, false));
        String bytes = Playback.describe(mjpeg, Outputs.PREVIEW.withRecording(Path.of("/tmp/a.mkv")), true,
                ALL::contains, stored, Playback.UNUSED_MIC_FEED,
                Playback.UNUSED_CAMERA_SOCKET, BOX);
        assertTrue(bytes.contains("jpegenc quality=90 ! appsink name=record"), bytes);
    }

    @Test
    void shouldFeedTheVirtualMicrophoneWithTheBorrowedChannelsAndNameThePipeWireCamera() throws Exception {
        java.util.function.Predicate<String> has = e -> true;
        String mic = Playback.describe("audio/x-raw,format=S16LE,rate=48000,channels=(int)2",
                Outputs.SPEAKERS.withSpeakers(false).withVirtualMicrophone("Test microphone on Demo laptop"), false,
                has, RecordingPipeline.storedCapsFor("audio/x-raw"), "hopwire.feed.1.0", "unused", BOX);
        assertTrue(mic.contains("audio/x-raw,channels=2 ! pulsesink name=mic device=hopwire.feed.1.0 sync=false"),
                mic);
        assertTrue(!mic.contains("autoaudiosink"), mic);
        String cam = Playback.describe("video/x-raw,format=NV12,width=64,height=48",
                Outputs.PREVIEW.withPipeWireCamera("Test \"camera\" on Demo laptop"), false, has,
                RecordingPipeline.storedCapsFor("video/x-raw"), "unused", "/run/x/pictures", BOX);
        assertTrue(cam.contains("videoconvert ! video/x-raw,format=I420 ! shmsink name=pwcam "
                + "socket-path=\"/run/x/pictures\" wait-for-connection=false sync=false"), cam);
        java.util.List<String> helper = PipeWireCamera.helperCommand(Path.of("/run/x/pictures"),
                "video/x-raw,width=(int)64,height=(int)48,framerate=(fraction)15/1", "hopwire.camera.1.0",
                "Test \"camera\" on Demo laptop");
        assertTrue(helper.contains("video/x-raw,format=I420,width=64,height=48,framerate=15/1"), helper.toString());
        assertEquals("stream-properties=\"props,media.class=Video/Source,media.role=Camera,"
                + "node.name=hopwire.camera.1.0,node.description=\\\"Test camera on Demo laptop (Hopwire)\\\"\"",
                helper.get(helper.size() - 1));
        GstPipelineException wrong = assertThrows(GstPipelineException.class, () -> Playback.describe("video/x-raw",
                Outputs.PREVIEW.withVirtualMicrophone("x"), false, has));
        assertTrue(wrong.getMessage().contains("needs a microphone"), wrong.getMessage());
        GstPipelineException missing = assertThrows(GstPipelineException.class, () -> Playback.describe(
                "video/x-raw", Outputs.PREVIEW.withPipeWireCamera("x"), false, Set.of()::contains));
        assertTrue(missing.getMessage().contains("gstreamer1.0-plugins-bad"), missing.getMessage());
        GstPipelineException noPipewire = assertThrows(GstPipelineException.class, () -> Playback.describe(
                "video/x-raw", Outputs.PREVIEW.withPipeWireCamera("x"), false, Set.of("shmsink")::contains));
        assertTrue(noPipewire.getMessage().contains("gstreamer1.0-pipewire"), noPipewire.getMessage());
    }

    @Test
    void shouldFindTheLoopbackDeviceOrSayHowToLoadIt(@TempDir Path root) throws IOException {
        Path sys = root.resolve("sys");
        VirtualWebcam none = new VirtualWebcam(sys, root.resolve("dev"));
        IllegalStateException e = assertThrows(IllegalStateException.class, none::find);
        assertTrue(e.getMessage().contains("sudo modprobe v4l2loopback"), e.getMessage());
        assertTrue(e.getMessage().contains("not loaded"), e.getMessage());

        Files.createDirectories(sys.resolve("module/v4l2loopback"));
        Path camera = Files.createDirectories(sys.resolve("class/video4linux/video0"));
        Files.writeString(camera.resolve("name"), "Integrated Camera\n");
        IllegalStateException empty = assertThrows(IllegalStateException.class, none::find);
        assertTrue(empty.getMessage().contains("made no device"), empty.getMessage());

        Path loop = Files.createDirectories(sys.resolve("class/video4linux/video42"));
        Files.writeString(loop.resolve("name"), "Hopwire camera\n");
        assertEquals(new VirtualWebcam.Device(root.resolve("dev/video42"), "Hopwire camera"), none.find());
    }
}
