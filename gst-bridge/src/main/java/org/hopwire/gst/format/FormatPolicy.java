package org.hopwire.gst.format;

/** How a lent video is sent: chosen from the link's measured rate, or fixed by the person. */
public enum FormatPolicy {
    AUTOMATIC, RAW, MJPEG, H264;

    public static FormatPolicy parse(String text) {
        for (FormatPolicy p : values()) {
            if (p.name().equalsIgnoreCase(text.replace(".", "").replace("-", ""))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown format policy '" + text + "': use automatic, raw, mjpeg or h264");
    }
}
