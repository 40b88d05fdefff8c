package org.hopwire.engine.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks the caps text a borrower asks for ({@code FORMAT_REQUEST}, docs/protocol.md, section 7) before anything on
 * the owner reads it: bounded, printable, one structure of {@code media/type,name=value,...}. Whether the owner can
 * send it is the owner's chooser's question; this only keeps malformed text out.
 */
public final class CapsWish {
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z]+/[a-z0-9.+-]+");
    private static final Pattern FIELD = Pattern.compile("[a-z][a-z0-9-]*=(\\([a-z]+\\))?[A-Za-z0-9/._-]+");

    private CapsWish() {
    }

    /** Why {@code caps} cannot be asked for, in words; empty when it can ("" asks for the owner's own choice). */
    public static Optional<String> problem(String caps) {
        int bytes = caps.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > ControlMessage.FormatRequest.MAX_CAPS_BYTES) {
            return Optional.of("the format asked for is " + bytes + " bytes long; at most "
                    + ControlMessage.FormatRequest.MAX_CAPS_BYTES + " are allowed");
        }
        if (caps.isEmpty()) {
            return Optional.empty();
        }
        for (int i = 0; i < caps.length(); i++) {
            char c = caps.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return Optional.of("the format asked for holds a character that is not printable ASCII at " + i);
            }
        }
        String[] parts = caps.split(",", -1);
        if (!MEDIA_TYPE.matcher(parts[0].trim()).matches()) {
            return Optional.of("the format asked for does not start with a media type (video/x-raw)");
        }
        for (int i = 1; i < parts.length; i++) {
            if (!FIELD.matcher(parts[i].trim()).matches()) {
                return Optional.of("the format asked for has a field that is not name=value: '" + parts[i].trim()
                        + "'");
            }
        }
        return Optional.empty();
    }
}
