package org.hopwire.gst.capture;

import java.util.Locale;

import org.hopwire.gst.format.FormatChoice;

/** The text of a capture pipeline's part after the source, for each way of sending. */
final class CapturePipelines {
    /** Bounded: the newest few samples wait, older ones are dropped rather than queued. */
    static final String SINK = "appsink name=out sync=false max-buffers=4 drop=true emit-signals=true";

    private CapturePipelines() {
    }

    static String afterSource(FormatChoice c) {
        String size = c.width() > 0 ? String.format(Locale.ROOT, ",width=%d,height=%d,framerate=%d/%d", c.width(),
                c.height(), c.fpsNumerator(), c.fpsDenominator()) : "";
        return switch (c.encoding()) {
            case AUDIO -> "audioconvert ! audioresample ! capsfilter name=fmt caps=\"audio/x-raw,format=S16LE,"
                    + "rate=48000,channels=2,layout=interleaved\" ! " + SINK;
            case RAW -> "capsfilter name=fmt caps=\"video/x-raw,format=" + c.sourceFormat() + size + "\" ! " + SINK;
            case MJPEG -> c.deviceEncodes()
                    ? "capsfilter name=fmt caps=\"image/jpeg" + size + "\" ! " + SINK
                    : decodesDeviceJpeg(c)
                    ? "capsfilter name=fmt caps=\"image/jpeg" + size + "\" ! jpegdec ! videoconvert ! "
                    + "video/x-raw,format=I420 ! jpegenc quality=85 ! " + SINK
                    : "capsfilter name=fmt caps=\"video/x-raw" + size + "\" ! videoconvert ! "
                    + "video/x-raw,format=I420 ! jpegenc quality=85 ! " + SINK;
            case H264 -> "capsfilter name=fmt caps=\"video/x-raw" + size + "\" ! videoconvert ! "
                    + "video/x-raw,format=I420 ! x264enc name=enc tune=zerolatency speed-preset=ultrafast bitrate="
                    + c.bitrateKbps() + " key-int-max=" + Math.max(1, (int) Math.round(c.fps() * 2))
                    + " ! h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au ! "
                    + SINK;
        };
    }

    /**
     * A device's JPEG decoded and encoded again on this host: what re-encoding a webcam's MJPEG costs (the media
     * benchmark measures it against sending it as it comes). The chooser never asks for it.
     */
    static boolean decodesDeviceJpeg(FormatChoice c) {
        return c.encoding() == FormatChoice.Encoding.MJPEG && !c.deviceEncodes()
                && FormatChoice.DEVICE_JPEG.equals(c.sourceFormat());
    }

    /** A balance element works on raw pictures: not on a device's own JPEG, nor on audio. */
    static boolean canBalance(FormatChoice c) {
        return c.encoding() != FormatChoice.Encoding.AUDIO
                && !(c.encoding() == FormatChoice.Encoding.MJPEG && (c.deviceEncodes() || decodesDeviceJpeg(c)));
    }

    /** The element a choice needs that may be missing, with the package that has it; null when none. */
    static String[] missingPlugin(FormatChoice c, java.util.function.Predicate<String> has) {
        if (c.encoding() == FormatChoice.Encoding.H264) {
            if (!has.test("x264enc")) {
                return new String[] {"x264enc", "gstreamer1.0-plugins-ugly"};
            }
            if (!has.test("h264parse")) {
                return new String[] {"h264parse", "gstreamer1.0-plugins-bad"};
            }
        }
        if (c.encoding() == FormatChoice.Encoding.MJPEG && !c.deviceEncodes() && !has.test("jpegenc")) {
            return new String[] {"jpegenc", "gstreamer1.0-plugins-good"};
        }
        if (decodesDeviceJpeg(c) && !has.test("jpegdec")) {
            return new String[] {"jpegdec", "gstreamer1.0-plugins-good"};
        }
        return null;
    }

    /** Refuses a choice whose element is not installed, naming the package that has it. */
    static void requirePlugins(FormatChoice c) throws org.hopwire.gst.GstPipelineException {
        String[] missing = missingPlugin(c, org.hopwire.gst.GstRuntime::isInstalled);
        if (missing != null) {
            throw new org.hopwire.gst.GstPipelineException(missing[0], "the " + missing[0]
                    + " element is missing: install " + missing[1], "");
        }
    }

    /** The device's source element for a new pipeline; the pipeline is let go when the device cannot be opened. */
    static org.freedesktop.gstreamer.Element openSource(org.freedesktop.gstreamer.Pipeline pipeline,
                                                        org.hopwire.gst.device.SourceFactory source)
            throws org.hopwire.gst.GstPipelineException {
        try {
            return source.create("src");
        } catch (RuntimeException e) {
            pipeline.dispose();
            throw new org.hopwire.gst.GstPipelineException("src", "the device cannot be opened: " + e.getMessage(),
                    "");
        }
    }
}
