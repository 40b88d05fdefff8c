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
    /** "file.c(123): function (): /GstPipeline:name/GstBin:b:", GStreamer's prefix of an element's debug text. */
    private static final java.util.regex.Pattern SOURCE_LINE =
            java.util.regex.Pattern.compile("[\\w./+-]+\\(\\d+\\): [\\w]+ \\(\\): .*:");

    /** How bad it is. */
    public enum Severity { WARNING, ERROR }

    /** A problem Hopwire found itself, with no GStreamer error domain. */
    public MediaProblem(Severity severity, String pipeline, String element, String message, String debug) {
        this(severity, pipeline, element, message, debug, "", 0);
    }

    /**
     * GStreamer's message and, in brackets, the human part of its debug text: "Could not read from resource.
     * (system error: No such device)". The debug text of an element's error starts with where in GStreamer's source
     * it was raised ("gstv4l2src.c(1123): gst_v4l2src_create (): /GstPipeline:lend/GstV4l2Src:src:"), a line for a
     * bug report that is left out here.
     */
    public String explained() {
        String reason = reason();
        if (message.isEmpty()) {
            return reason;
        }
        return reason.isEmpty() || reason.equals(message) ? message : message + " (" + reason + ")";
    }

    /** The debug text without GStreamer's first line naming the source file, function and element; may be empty. */
    public String reason() {
        String d = debug.strip();
        int nl = d.indexOf('\n');
        String first = nl < 0 ? d : d.substring(0, nl);
        if (SOURCE_LINE.matcher(first).matches()) {
            d = nl < 0 ? "" : d.substring(nl + 1).strip();
        }
        return d.replace('\n', ' ');
    }

    @Override
    public String toString() {
        return severity.name().toLowerCase(java.util.Locale.ROOT) + " in " + pipeline + " from " + element + ": "
                + message + (debug.isEmpty() ? "" : " (" + debug + ")");
    }
}
