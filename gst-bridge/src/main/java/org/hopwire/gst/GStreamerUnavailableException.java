package org.hopwire.gst;

/** GStreamer's native libraries could not be loaded, or are older than Hopwire needs; the message says what to install. */
public class GStreamerUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public GStreamerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
