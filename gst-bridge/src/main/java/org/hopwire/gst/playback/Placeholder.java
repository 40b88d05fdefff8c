package org.hopwire.gst.playback;

import java.nio.ByteBuffer;

import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.elements.AppSink;
import org.hopwire.gst.GstRuntime;

/** Renders the "waiting for source" picture once per size, with GStreamer's text overlay where it is installed. */
final class Placeholder {
    static final String TEXT = "Waiting for the source…";

    private Placeholder() {
    }

    static PreviewFrame render(int width, int height) {
        ByteBuffer pixels = ByteBuffer.allocateDirect(width * height * 4);
        boolean text = GstRuntime.isInstalled("textoverlay");
        String desc = "videotestsrc num-buffers=1 pattern=solid-color foreground-color=0xff303030 ! video/x-raw,"
                + "format=BGRA,width=" + width + ",height=" + height + (text ? " ! textoverlay text=\"" + TEXT
                + "\" font-desc=\"Sans 28\" valignment=center halignment=center ! videoconvert ! "
                + "video/x-raw,format=BGRA" : "") + " ! appsink name=out sync=false";
        Pipeline p = null;
        boolean rendered = false;
        try {
            p = (Pipeline) Gst.parseLaunch(desc);
            AppSink sink = (AppSink) p.getElementByName("out");
            p.play();
            Sample s = sink.pullSample();
            if (s != null) {
                Buffer b = s.getBuffer();
                pixels.put(b.map(false));
                b.unmap();
                s.dispose();
            }
            rendered = true;
        } catch (RuntimeException e) {
            // leave it plain dark: the listener still hears of the stall
        } finally {
            if (p != null) {
                p.stop();
                p.dispose();
            }
        }
        pixels.clear();
        if (!rendered || pixels.get(3) == 0) {
            for (int i = 0; i < pixels.capacity(); i += 4) {
                pixels.putInt(i, 0x303030ff); // B, G, R dark grey; A opaque
            }
        }
        return new PreviewFrame(pixels.clear(), width, height);
    }
}
