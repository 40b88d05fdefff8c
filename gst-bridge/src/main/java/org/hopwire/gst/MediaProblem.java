package org.hopwire.gst;

/**
 * An error or warning a pipeline posted, in words a person can act on: which element, what it said, and GStreamer's
 * debug text for a bug report.
 *
 * @param severity ERROR stops the pipeline; WARNING does not
 * @param pipeline the pipeline's name (which device or borrow it serves)
 * @param element  the element that posted it
 * @param message  GStreamer's message
 * @param debug    GStreamer's debug text (may be empty)
 */
public record MediaProblem(Severity severity, String pipeline, String element, String message, String debug) {
    /** How bad it is. */
    public enum Severity { WARNING, ERROR }

    @Override
    public String toString() {
        return severity.name().toLowerCase(java.util.Locale.ROOT) + " in " + pipeline + " from " + element + ": "
                + message + (debug.isEmpty() ? "" : " (" + debug + ")");
    }
}
