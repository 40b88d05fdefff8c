package org.hopwire.gst.device;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.hopwire.engine.protocol.ControlMessage;

/** Puts a device's formats into a few words: encodings, their largest sizes and their frame rates. */
public final class FormatSummary {
    private FormatSummary() {
    }

    /** The encoding's short name: raw, MJPEG, H.264, audio. */
    public static String encodingName(String mediaType) {
        return switch (mediaType) {
            case "video/x-raw" -> "raw";
            case "image/jpeg" -> "MJPEG";
            case "video/x-h264" -> "H.264";
            case "video/x-h265" -> "H.265";
            case "audio/x-raw" -> "audio";
            default -> mediaType;
        };
    }

    /**
     * "raw (NV12, YUY2) 640x480 to 1920x1080 at 30/60 fps; MJPEG 1920x1080 at 30 fps". Frame rates per size are
     * merged: the line is a summary, the catalog keeps every combination.
     */
    public static String describe(List<ControlMessage.Format> formats) {
        if (formats.isEmpty()) {
            return "no formats reported";
        }
        Map<String, List<ControlMessage.Format>> byType = new LinkedHashMap<>();
        for (ControlMessage.Format f : formats) {
            byType.computeIfAbsent(f.mediaType(), k -> new ArrayList<>()).add(f);
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, List<ControlMessage.Format>> e : byType.entrySet()) {
            List<ControlMessage.Format> fs = e.getValue();
            Set<String> names = new LinkedHashSet<>();
            TreeSet<Long> areas = new TreeSet<>();
            Map<Long, String> sizeText = new LinkedHashMap<>();
            TreeSet<Double> rates = new TreeSet<>();
            for (ControlMessage.Format f : fs) {
                if (!f.format().isEmpty()) {
                    names.add(f.format());
                }
                long area = (long) f.width() * f.height();
                areas.add(area);
                sizeText.putIfAbsent(area, f.width() + "x" + f.height());
                if (f.fpsNumerator() > 0 && f.fpsDenominator() > 0) {
                    rates.add((double) f.fpsNumerator() / f.fpsDenominator());
                }
            }
            StringBuilder b = new StringBuilder(encodingName(e.getKey()));
            if (!names.isEmpty()) {
                b.append(" (").append(String.join(", ", names)).append(')');
            }
            if (e.getKey().startsWith("audio/")) {
                if (!rates.isEmpty()) {
                    b.append(' ').append(Math.round(rates.last())).append(" Hz");
                }
            } else if (areas.last() > 0) {
                b.append(' ');
                if (areas.size() > 1) {
                    b.append(sizeText.get(areas.first())).append(" to ");
                }
                b.append(sizeText.get(areas.last()));
                if (!rates.isEmpty()) {
                    List<String> r = new ArrayList<>();
                    for (double d : rates) {
                        r.add(d == Math.rint(d) ? Long.toString((long) d) : String.format("%.2f", d));
                    }
                    b.append(" at ").append(String.join("/", r)).append(" fps");
                }
            }
            parts.add(b.toString());
        }
        return String.join("; ", parts);
    }
}
