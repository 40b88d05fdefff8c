package org.hopwire.gst.device;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.hopwire.engine.protocol.ControlMessage;

/**
 * Reads GStreamer caps text ({@code video/x-raw, format=(string)YUY2, width=(int)640, framerate=(fraction){ 30/1,
 * 15/1 }; image/jpeg, ...}) into catalog formats, without GStreamer, so the rules are testable as plain code.
 * Lists become one format per value; ranges count at their top ({@code [ 1, 1920 ]} is 1920).
 */
public final class CapsText {
    private CapsText() {
    }

    /** One structure: its media type and its fields as text values (lists keep their braces). */
    public record Structure(String mediaType, Map<String, String> fields) {
        public String field(String name) {
            return fields.get(name);
        }
    }

    /** Splits caps text into structures at top-level semicolons. */
    public static List<Structure> parse(String caps) {
        List<Structure> out = new ArrayList<>();
        if (caps == null) {
            return out;
        }
        for (String part : splitTop(caps, ';')) {
            List<String> items = splitTop(part, ',');
            if (items.isEmpty() || items.get(0).isBlank()) {
                continue;
            }
            String media = items.get(0).trim();
            int feat = media.indexOf('(');
            if (feat > 0) {
                media = media.substring(0, feat).trim(); // "video/x-raw(memory:DMABuf)"
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (String item : items.subList(1, items.size())) {
                int eq = item.indexOf('=');
                if (eq > 0) {
                    fields.put(item.substring(0, eq).trim(), stripType(item.substring(eq + 1).trim()));
                }
            }
            out.add(new Structure(media, fields));
        }
        return out;
    }

    /** Catalog formats for every combination a structure lists. */
    public static List<ControlMessage.Format> formats(String caps) {
        List<ControlMessage.Format> out = new ArrayList<>();
        for (Structure s : parse(caps)) {
            List<String> formats = values(s.field("format"));
            if (formats.isEmpty()) {
                formats = List.of("");
            }
            int width = top(s.field("width"));
            int height = top(s.field("height"));
            List<String> rates = values(s.field("framerate"));
            if (rates.isEmpty()) {
                rates = List.of(s.mediaType().startsWith("audio/") ? topText(s.field("rate")) + "/1" : "0/1");
            }
            for (String f : formats) {
                for (String r : rates) {
                    int[] fr = fraction(r);
                    ControlMessage.Format fmt = new ControlMessage.Format(s.mediaType(), f, width, height, fr[0], fr[1]);
                    if (!out.contains(fmt)) {
                        out.add(fmt);
                    }
                }
            }
        }
        return out;
    }

    /** The values of a field: one for a plain value, several for a {@code { a, b }} list, the top of a range. */
    public static List<String> values(String value) {
        List<String> out = new ArrayList<>();
        if (value == null || value.isEmpty()) {
            return out;
        }
        String v = value.trim();
        if (v.startsWith("{") && v.endsWith("}")) {
            for (String item : splitTop(v.substring(1, v.length() - 1), ',')) {
                out.add(stripType(item.trim()));
            }
        } else if (v.startsWith("[") && v.endsWith("]")) {
            List<String> ends = splitTop(v.substring(1, v.length() - 1), ',');
            out.add(stripType(ends.get(ends.size() - 1).trim()));
        } else {
            out.add(v);
        }
        return out;
    }

    static int top(String value) {
        int best = 0;
        for (String v : values(value)) {
            try {
                best = Math.max(best, Integer.parseInt(v.trim()));
            } catch (NumberFormatException e) {
                // not a number (a missing field): 0
            }
        }
        return best;
    }

    private static String topText(String value) {
        return Integer.toString(top(value));
    }

    /** "30/1" as {30, 1}; "2147483647/1" (a range's top) stays as it is. */
    static int[] fraction(String text) {
        String t = stripType(text.trim());
        int slash = t.indexOf('/');
        try {
            if (slash < 0) {
                return new int[] {Integer.parseInt(t), 1};
            }
            return new int[] {Integer.parseInt(t.substring(0, slash).trim()),
                Integer.parseInt(t.substring(slash + 1).trim())};
        } catch (NumberFormatException e) {
            return new int[] {0, 1};
        }
    }

    private static String stripType(String v) {
        String t = v;
        if (t.startsWith("(")) {
            int close = t.indexOf(')');
            if (close > 0) {
                t = t.substring(close + 1).trim();
            }
        }
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1);
        }
        return t;
    }

    private static List<String> splitTop(String s, char sep) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '{' || c == '[' || c == '<')) {
                depth++;
            } else if (!quoted && (c == '}' || c == ']' || c == '>')) {
                depth--;
            } else if (!quoted && depth == 0 && c == sep) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }
}
