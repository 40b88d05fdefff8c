package org.hopwire.gst.format;

import java.util.Locale;

/**
 * How one device is captured and sent: the encoding on the wire, the size and rate, whether the device itself
 * encodes (a webcam's own MJPEG) and why this was chosen, in words for the person.
 *
 * @param encoding       what travels on the data stream
 * @param sourceFormat   the device's raw format to ask for ("NV12"), or "" when the device delivers the encoding,
 *                       or {@link #DEVICE_JPEG} for MJPEG made again from the device's own JPEG (decoded and
 *                       re-encoded here: only the media benchmark asks for that, to measure what pass-through saves)
 * @param deviceEncodes  true when the device delivers {@code encoding} itself (no encoder on this host)
 * @param bytesPerSecond the expected rate on the link
 * @param bitrateKbps    the encoder's target for H.264, else 0
 * @param reason         why, with the numbers
 */
public record FormatChoice(Encoding encoding, String sourceFormat, int width, int height, int fpsNumerator,
                           int fpsDenominator, boolean deviceEncodes, long bytesPerSecond, int bitrateKbps,
                           String reason) {
    /** {@link #sourceFormat} of a choice that decodes the device's JPEG and encodes it again. */
    public static final String DEVICE_JPEG = "image/jpeg";

    /** What travels on the data stream. */
    public enum Encoding {
        RAW("video/x-raw"), MJPEG("image/jpeg"), H264("video/x-h264"), AUDIO("audio/x-raw");

        private final String mediaType;

        Encoding(String mediaType) {
            this.mediaType = mediaType;
        }

        public String mediaType() {
            return mediaType;
        }
    }

    /** The same choice at another encoding, for a person's override or a renegotiation. */
    public FormatChoice withEncoding(Encoding e, String why) {
        return new FormatChoice(e, e == Encoding.RAW ? (sourceFormat.isEmpty() ? "NV12" : sourceFormat) : sourceFormat,
                width, height, fpsNumerator, fpsDenominator, false, bytesPerSecond, bitrateKbps, why);
    }

    public FormatChoice withSize(int w, int h, String why) {
        return new FormatChoice(encoding, sourceFormat, w, h, fpsNumerator, fpsDenominator, deviceEncodes,
                bytesPerSecond, bitrateKbps, why);
    }

    public double fps() {
        return fpsDenominator == 0 ? 0 : (double) fpsNumerator / fpsDenominator;
    }

    /** "MJPEG 1920x1080 at 30 fps (about 23.3 MB/s)". */
    public String describe() {
        if (encoding == Encoding.AUDIO) {
            return "audio " + sourceFormat + " " + fpsNumerator + " Hz";
        }
        String name = switch (encoding) {
            case RAW -> "raw " + sourceFormat;
            case MJPEG -> deviceEncodes ? "MJPEG (from the device)" : "MJPEG";
            case H264 -> "H.264 at " + bitrateKbps + " kbit/s";
            default -> encoding.name();
        };
        return String.format(Locale.ROOT, "%s %dx%d at %s fps (about %.1f MB/s)", name, width, height,
                fpsDenominator == 1 ? Integer.toString(fpsNumerator) : String.format(Locale.ROOT, "%.2f", fps()),
                bytesPerSecond / 1e6);
    }
}
