package org.hopwire.gst.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.gst.device.CapsText;
import org.hopwire.gst.device.MediaDevice;
import org.hopwire.gst.format.FormatChoice.Encoding;

/**
 * Chooses how to send a device over a link of a measured rate: raw video when it fits (no encoder, least latency,
 * no quality loss), MJPEG when raw does not (the device's own where it has it), H.264 on slow links. A policy other
 * than automatic, or the borrower's preferred caps, overrides the encoding. Pure: no GStreamer, so every rule is
 * tested as plain code.
 */
public final class FormatChooser {
    /**
     * The share of the measured link rate one device may plan to use: half, so two cameras or a camera and the other
     * direction's traffic still fit. USB4 at 40 Gb/s measures about 1.1 GB/s, which leaves 550 MB/s: raw 1080p60 NV12
     * (187 MB/s) and even 4K30 NV12 (373 MB/s) fit.
     */
    public static final double LINK_SHARE = 0.5;
    /** MJPEG at quality 85 takes about an eighth of NV12's bytes for camera images (measured: 1/7 to 1/12). */
    static final double MJPEG_RATIO = 1.0 / 8;
    /**
     * Unless the borrower asks for more, send at most 1080p: what meeting apps and previews use, and a 4K camera's
     * raw stream (373 MB/s) would cost both hosts' CPUs for nothing.
     */
    static final int DEFAULT_MAX_WIDTH = 1920;
    static final int DEFAULT_MAX_HEIGHT = 1080;
    /** A target for H.264 that keeps 1080p sharp; lower when the link is slower. */
    static final int H264_MAX_KBPS = 8_000;

    /** What the chooser may use. */
    public record Options(FormatPolicy policy, boolean mjpegEncoderAvailable, boolean h264EncoderAvailable) {
        public static final Options DEFAULT = new Options(FormatPolicy.AUTOMATIC, true, true);

        public Options withPolicy(FormatPolicy p) {
            return new Options(p, mjpegEncoderAvailable, h264EncoderAvailable);
        }
    }

    private FormatChooser() {
    }

    /** How one option fares on the link. */
    public enum Verdict {
        /** Within the share of the link one device may plan to use ({@link #LINK_SHARE}). */
        FITS,
        /** Over that share but under the whole link: it works while nothing else is sent. */
        TIGHT,
        /** More than the whole link: frames would drop. Not offered. */
        TOO_MUCH,
        /** The link's rate is not known yet: assumed to fit. */
        UNKNOWN_LINK
    }

    /**
     * One way a borrower can ask for a device: an encoding at one of the device's sizes and rates, its expected rate,
     * how that fares on the link, and the caps text to ask for it with.
     */
    public record Option(Encoding encoding, int width, int height, int fpsNumerator, int fpsDenominator,
                         long bytesPerSecond, long linkBytesPerSecond, Verdict verdict) {
        /** What to send in BORROW_REQUEST or FORMAT_REQUEST for this option. */
        public String caps() {
            return encoding.mediaType() + ",width=" + width + ",height=" + height + ",framerate=" + fpsNumerator
                    + "/" + fpsDenominator;
        }

        public boolean selectable() {
            return verdict != Verdict.TOO_MUCH;
        }

        /** "raw: fits, 187 MB/s of 1.1 GB/s": the chooser's reason in a few words (the app has its own wording). */
        public String reason() {
            String name = switch (encoding) {
                case RAW -> "raw";
                case MJPEG -> "MJPEG";
                case H264 -> "H.264";
                default -> "audio";
            };
            String word = switch (verdict) {
                case FITS -> "fits";
                case TIGHT -> "tight";
                case TOO_MUCH -> "too much";
                case UNKNOWN_LINK -> "link not measured yet";
            };
            return verdict == Verdict.UNKNOWN_LINK ? name + ": " + rate(bytesPerSecond) + ", " + word
                    : name + ": " + word + ", " + rate(bytesPerSecond) + " of " + rate(linkBytesPerSecond);
        }

        /** "187 MB/s", "1.1 GB/s", "0.8 MB/s". */
        public static String rate(long bytesPerSecond) {
            if (bytesPerSecond >= 1_000_000_000L) {
                return String.format(Locale.ROOT, "%.1f GB/s", bytesPerSecond / 1e9);
            }
            return bytesPerSecond >= 10_000_000L ? String.format(Locale.ROOT, "%.0f MB/s", bytesPerSecond / 1e6)
                    : String.format(Locale.ROOT, "%.1f MB/s", bytesPerSecond / 1e6);
        }
    }

    /**
     * Every way a video device can be asked for over a link, rated: each size and rate the device offers, as raw,
     * MJPEG and (when an encoder is there) H.264, largest and smoothest first, raw before MJPEG before H.264. The
     * rates are the ones {@link #choose} plans with. Empty for audio (sent raw, nothing to choose).
     */
    public static List<Option> options(MediaDevice device, long linkBytesPerSecond, Options options) {
        List<Option> result = new ArrayList<>();
        if (!device.isVideo()) {
            return result;
        }
        List<ControlMessage.Format> sizes = new ArrayList<>();
        for (ControlMessage.Format f : device.formats()) {
            if (f.mediaType().startsWith("audio/") || f.width() <= 0 || f.height() <= 0) {
                continue;
            }
            if (sizes.stream().noneMatch(s -> s.width() == f.width() && s.height() == f.height()
                    && (long) s.fpsNumerator() * f.fpsDenominator() == (long) f.fpsNumerator() * s.fpsDenominator())) {
                sizes.add(f);
            }
        }
        sizes.sort((a, b) -> {
            long area = (long) b.width() * b.height() - (long) a.width() * a.height();
            return area != 0 ? Long.signum(area) : Double.compare(fps(b), fps(a));
        });
        long budget = (long) (linkBytesPerSecond * LINK_SHARE);
        for (ControlMessage.Format f : sizes) {
            int fn = f.fpsNumerator() > 0 ? f.fpsNumerator() : 30;
            int fd = f.fpsDenominator() > 0 ? f.fpsDenominator() : 1;
            double fps = (double) fn / fd;
            String raw = bestRawFormat(device.formats(), f.width(), f.height());
            long pixels = (long) f.width() * f.height();
            long rawRate = (long) (pixels * bytesPerPixel(raw.isEmpty() ? "NV12" : raw) * fps);
            long mjpegRate = (long) (pixels * 1.5 * fps * MJPEG_RATIO);
            long h264Rate = Math.min(H264_MAX_KBPS, Math.max(500, budget <= 0 ? H264_MAX_KBPS
                    : budget * 8 / 1000 * 8 / 10)) * 1000L / 8;
            boolean deviceMjpeg = device.formats().stream().anyMatch(x ->
                    x.mediaType().equals("image/jpeg") && x.width() == f.width() && x.height() == f.height());
            if (!raw.isEmpty() || !deviceMjpeg) {
                // A size the device gives only as MJPEG cannot be sent raw without a decoder on this host.
                result.add(option(Encoding.RAW, f, fn, fd, rawRate, linkBytesPerSecond, budget));
            }
            if (options.mjpegEncoderAvailable() || deviceMjpeg) {
                result.add(option(Encoding.MJPEG, f, fn, fd, mjpegRate, linkBytesPerSecond, budget));
            }
            if (options.h264EncoderAvailable()) {
                result.add(option(Encoding.H264, f, fn, fd, h264Rate, linkBytesPerSecond, budget));
            }
        }
        return result;
    }

    private static Option option(Encoding e, ControlMessage.Format f, int fn, int fd, long rate, long link,
                                 long budget) {
        Verdict v = link <= 0 ? Verdict.UNKNOWN_LINK : rate <= budget ? Verdict.FITS : rate <= link
                ? Verdict.TIGHT : Verdict.TOO_MUCH;
        return new Option(e, f.width(), f.height(), fn, fd, rate, link, v);
    }

    private static double fps(ControlMessage.Format f) {
        return f.fpsDenominator() == 0 ? 0 : (double) f.fpsNumerator() / f.fpsDenominator();
    }

    /**
     * Chooses for a device.
     *
     * @param device              the device and its formats
     * @param linkBytesPerSecond  the link's measured rate (0 when unknown: assumed fast)
     * @param preferredCaps       the borrower's wish, as caps text ("" for none): its media type picks the encoding,
     *                            its width, height and framerate the size
     */
    public static FormatChoice choose(MediaDevice device, long linkBytesPerSecond, String preferredCaps,
                                      Options options) {
        if (!device.isVideo()) {
            return new FormatChoice(Encoding.AUDIO, "S16LE", 0, 0, 48000, 1, false, 48000L * 2 * 2, 0,
                    "audio is sent raw: 48 kHz stereo is 0.19 MB/s");
        }
        List<ControlMessage.Format> formats = new ArrayList<>(device.formats());
        if (formats.isEmpty()) {
            formats.add(new ControlMessage.Format("video/x-raw", "", 1280, 720, 30, 1));
        }
        CapsText.Structure wish = CapsText.parse(preferredCaps).stream().findFirst().orElse(null);
        ControlMessage.Format size = pickSize(formats, wish);
        int w = size.width();
        int h = size.height();
        int fn = size.fpsNumerator() > 0 ? size.fpsNumerator() : 30;
        int fd = size.fpsDenominator() > 0 ? size.fpsDenominator() : 1;
        double fps = (double) fn / fd;

        String rawFormat = bestRawFormat(formats, w, h);
        boolean deviceHasRaw = !rawFormat.isEmpty();
        boolean deviceHasMjpeg = formats.stream().anyMatch(f -> f.mediaType().equals("image/jpeg")
                && f.width() == w && f.height() == h);
        String sendRaw = deviceHasRaw ? rawFormat : "NV12";
        String encodeFrom = encoderInput(formats, w, h, sendRaw);
        long rawRate = (long) (w * (long) h * bytesPerPixel(sendRaw) * fps);
        long mjpegRate = (long) (w * (long) h * 1.5 * fps * MJPEG_RATIO);
        long budget = linkBytesPerSecond <= 0 ? Long.MAX_VALUE : (long) (linkBytesPerSecond * LINK_SHARE);
        String link = linkBytesPerSecond <= 0 ? "the link rate is not measured yet"
                : String.format(Locale.ROOT, "the link measures %.0f MB/s, half of it is %.0f MB/s",
                linkBytesPerSecond / 1e6, budget / 1e6);

        Encoding forced = forcedEncoding(wish, options.policy());
        if (forced == Encoding.H264 && !options.h264EncoderAvailable()) {
            forced = Encoding.MJPEG;
            link = "H.264 was asked for but x264enc is missing (install gstreamer1.0-plugins-ugly); " + link;
        }
        Encoding e;
        String why;
        if (forced != null) {
            e = forced;
            why = "asked for " + e.name() + "; " + link;
        } else if (!deviceHasRaw && deviceHasMjpeg) {
            // A webcam's large sizes often come as MJPEG only: sent as it comes, no decoder, no encoder here.
            e = Encoding.MJPEG;
            why = String.format(Locale.ROOT, "the device gives MJPEG at this size, not raw: sent as the device made"
                    + " it, about %.0f MB/s; %s", mjpegRate / 1e6, link);
        } else if (rawRate <= budget) {
            e = Encoding.RAW;
            why = String.format(Locale.ROOT, "raw fits: %.0f MB/s needed, %s; no encoding, lowest latency",
                    rawRate / 1e6, link);
        } else if (mjpegRate <= budget || !options.h264EncoderAvailable()) {
            e = Encoding.MJPEG;
            why = String.format(Locale.ROOT, "raw needs %.0f MB/s but %s; MJPEG needs about %.0f MB/s",
                    rawRate / 1e6, link, mjpegRate / 1e6)
                    + (mjpegRate > budget ? " (more than the link gives: frames will drop; x264enc is missing)" : "");
        } else {
            e = Encoding.H264;
            why = String.format(Locale.ROOT, "neither raw (%.0f MB/s) nor MJPEG (%.0f MB/s) fits: %s",
                    rawRate / 1e6, mjpegRate / 1e6, link);
        }
        return switch (e) {
            case RAW -> new FormatChoice(e, sendRaw, w, h, fn, fd, false, rawRate, 0, why);
            case MJPEG -> new FormatChoice(e, deviceHasMjpeg ? "" : encodeFrom, w, h, fn, fd, deviceHasMjpeg,
                    mjpegRate, 0, why);
            case H264 -> {
                int kbps = (int) Math.max(500, Math.min(H264_MAX_KBPS, budget == Long.MAX_VALUE ? H264_MAX_KBPS
                        : budget * 8 / 1000 * 8 / 10));
                yield new FormatChoice(e, encodeFrom, w, h, fn, fd, false, kbps * 1000L / 8, kbps, why);
            }
            default -> throw new IllegalStateException(e.name());
        };
    }

    private static Encoding forcedEncoding(CapsText.Structure wish, FormatPolicy policy) {
        if (wish != null) {
            switch (wish.mediaType()) {
                case "video/x-raw":
                    return Encoding.RAW;
                case "image/jpeg":
                    return Encoding.MJPEG;
                case "video/x-h264":
                    return Encoding.H264;
                default:
                    break;
            }
        }
        return switch (policy) {
            case RAW -> Encoding.RAW;
            case MJPEG -> Encoding.MJPEG;
            case H264 -> Encoding.H264;
            default -> null;
        };
    }

    /**
     * The size and rate to send: the borrower's wish when the device has it (else the largest below it), otherwise
     * the largest size up to 1080p the device gives at 25 fps or more, at its highest rate up to 60.
     */
    private static ControlMessage.Format pickSize(List<ControlMessage.Format> formats, CapsText.Structure wish) {
        int wantW = wish == null ? 0 : intField(wish, "width");
        int wantH = wish == null ? 0 : intField(wish, "height");
        double wantFps = 0;
        if (wish != null && wish.field("framerate") != null) {
            String[] fr = wish.field("framerate").split("/");
            try {
                wantFps = Double.parseDouble(fr[0].trim()) / (fr.length > 1 ? Double.parseDouble(fr[1].trim()) : 1);
            } catch (NumberFormatException ignored) {
                wantFps = 0;
            }
        }
        ControlMessage.Format best = null;
        for (ControlMessage.Format f : formats) {
            if (f.mediaType().startsWith("audio/")) {
                continue;
            }
            double fps = f.fpsDenominator() == 0 ? 0 : (double) f.fpsNumerator() / f.fpsDenominator();
            if (wantW > 0 && (f.width() > wantW || f.height() > wantH)) {
                continue;
            }
            if (wantFps > 0 && fps > wantFps + 0.01) {
                continue;
            }
            if (wantFps == 0 && fps > 60.01) {
                continue;
            }
            if (wantW == 0 && (f.width() > DEFAULT_MAX_WIDTH || f.height() > DEFAULT_MAX_HEIGHT)) {
                continue;
            }
            if (best == null || better(f, best)) {
                best = f;
            }
        }
        if (best == null) {
            best = formats.get(0);
        }
        return best;
    }

    /** Larger first; among equal sizes, 25 fps or more first, then the higher rate. */
    private static boolean better(ControlMessage.Format a, ControlMessage.Format b) {
        double fa = a.fpsDenominator() == 0 ? 0 : (double) a.fpsNumerator() / a.fpsDenominator();
        double fb = b.fpsDenominator() == 0 ? 0 : (double) b.fpsNumerator() / b.fpsDenominator();
        boolean smoothA = fa >= 25;
        boolean smoothB = fb >= 25;
        if (smoothA != smoothB) {
            return smoothA;
        }
        long areaA = (long) a.width() * a.height();
        long areaB = (long) b.width() * b.height();
        if (areaA != areaB) {
            return areaA > areaB;
        }
        return fa > fb;
    }

    private static int intField(CapsText.Structure s, String name) {
        String v = s.field(name);
        if (v == null) {
            return 0;
        }
        try {
            return Integer.parseInt(CapsText.values(v).get(0).trim());
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Of the device's raw formats at this size, the one with the fewest bytes per pixel. */
    private static String bestRawFormat(List<ControlMessage.Format> formats, int w, int h) {
        String best = "";
        for (ControlMessage.Format f : formats) {
            if (f.mediaType().equals("video/x-raw") && f.width() == w && f.height() == h && !f.format().isEmpty()
                    && (best.isEmpty() || bytesPerPixel(f.format()) < bytesPerPixel(best))) {
                best = f.format();
            }
        }
        return best;
    }

    /**
     * The raw format to encode from: I420 when the device gives it at this size, since both encoders take I420 and
     * anything else is converted to it first (NV12 to I420 cost 1.6 ms a 1080p picture here, 0.2 cores at 1080p30,
     * and the conversion also holds up the picture); else the format raw frames would be sent in.
     */
    private static String encoderInput(List<ControlMessage.Format> formats, int w, int h, String sendRaw) {
        boolean i420 = formats.stream().anyMatch(f -> f.mediaType().equals("video/x-raw") && f.width() == w
                && f.height() == h && f.format().equals("I420"));
        return i420 ? "I420" : sendRaw;
    }

    static double bytesPerPixel(String rawFormat) {
        return switch (rawFormat) {
            case "NV12", "NV21", "I420", "YV12" -> 1.5;
            case "YUY2", "UYVY", "YVYU", "NV16", "RGB16", "BGR16" -> 2;
            case "RGB", "BGR" -> 3;
            case "GRAY8" -> 1;
            default -> 4;
        };
    }
}
