package org.hopwire.gst;

/**
 * An error or warning a pipeline posted, in words a person can act on: which element, what it said, and GStreamer's
 * debug text for a bug report; and, for the program, what kind of error it was whatever the language.
 *
 * @param severity ERROR stops the pipeline; WARNING does not
 * @param pipeline the pipeline's name (which device or borrow it serves)
 * @param element  the element that posted it
 * @param message  GStreamer's message (translated to the system's language)
 * @param debug    GStreamer's debug text (may be empty)
 * @param domain   the GError domain as its quark's string (e.g. "gst-resource-error-quark"); empty when the problem
 *                 did not come from GStreamer's bus
 * @param code     the GError code within {@code domain} (0 when there is no domain)
 */
public record MediaProblem(Severity severity, String pipeline, String element, String message, String debug,
                           String domain, int code) {
    /** How bad it is. */
    public enum Severity { WARNING, ERROR }

    /** A problem Hopwire found itself, with no GStreamer error domain. */
    public MediaProblem(Severity severity, String pipeline, String element, String message, String debug) {
        this(severity, pipeline, element, message, debug, "", 0);
    }

    @Override
    public String toString() {
        return severity.name().toLowerCase(java.util.Locale.ROOT) + " in " + pipeline + " from " + element + ": "
                + message + (debug.isEmpty() ? "" : " (" + debug + ")");
    }
}
