package org.hopwire.app.ui.model;

import java.util.Locale;

import org.hopwire.app.text.Text;
import org.hopwire.gst.device.CapsText;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.format.FormatChooser;

/** A format in a person's words: "MJPEG 640×480 at 30 fps", and the chooser's reason ("raw: fits, 187 MB/s of 1.1 GB/s"). */
public final class FormatWords {
    private FormatWords() {
    }

    /** The encoding's name as people know it. */
    public static String encoding(FormatChoice.Encoding e) {
        return Text.tr(switch (e) {
            case RAW -> "format.encoding.raw";
            case MJPEG -> "format.encoding.mjpeg";
            case H264 -> "format.encoding.h264";
            case AUDIO -> "format.encoding.audio";
        });
    }

    /** "1920×1080 at 60 fps". */
    public static String size(int width, int height, int fpsNumerator, int fpsDenominator) {
        String fps = fpsDenominator <= 1 ? Integer.toString(fpsNumerator)
                : String.format(Locale.ROOT, "%.2f", (double) fpsNumerator / fpsDenominator);
        // As text: a number argument would be grouped ("3,840") by the message format.
        return Text.tr("format.size", Integer.toString(width), Integer.toString(height), fps);
    }

    /** One option of the chooser: its size and rate, then its encoding and how it fares on the link. */
    public static String option(FormatChooser.Option o) {
        return Text.tr("format.option", size(o.width(), o.height(), o.fpsNumerator(), o.fpsDenominator()), reason(o));
    }

    /** "raw: fits, 187 MB/s of 1.1 GB/s". */
    public static String reason(FormatChooser.Option o) {
        String rate = FormatChooser.Option.rate(o.bytesPerSecond());
        String link = FormatChooser.Option.rate(o.linkBytesPerSecond());
        return Text.tr(switch (o.verdict()) {
            case FITS -> "format.verdict.fits";
            case TIGHT -> "format.verdict.tight";
            case TOO_MUCH -> "format.verdict.too.much";
            case UNKNOWN_LINK -> "format.verdict.unknown";
        }, encoding(o.encoding()), rate, link);
    }

    /** A borrow's caps in words: "MJPEG 640×480 at 30 fps"; the media type alone when the caps say no more. */
    public static String ofCaps(String caps) {
        var formats = CapsText.formats(caps);
        if (formats.isEmpty()) {
            return caps;
        }
        var f = formats.get(0);
        FormatChoice.Encoding e = switch (f.mediaType()) {
            case "image/jpeg" -> FormatChoice.Encoding.MJPEG;
            case "video/x-h264" -> FormatChoice.Encoding.H264;
            case "audio/x-raw" -> FormatChoice.Encoding.AUDIO;
            default -> FormatChoice.Encoding.RAW;
        };
        if (e == FormatChoice.Encoding.AUDIO || f.width() <= 0) {
            return encoding(e);
        }
        return Text.tr("format.caps", encoding(e), size(f.width(), f.height(), f.fpsNumerator(),
                f.fpsDenominator()));
    }
}
