package org.hopwire.gst;

/**
 * A pipeline stopped with an error on its bus: carries the element that failed, GStreamer's debug text, and the
 * error's domain and code, which say what kind of failure it was in any language (the message is translated).
 */
public class GstPipelineException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The domain of GStreamer's resource errors (GST_RESOURCE_ERROR), as its quark's string. */
    public static final String RESOURCE_ERROR = "gst-resource-error-quark";
    /** GST_RESOURCE_ERROR_NOT_FOUND: the resource (file, device) is not there. */
    public static final int RESOURCE_NOT_FOUND = 3;
    /** GST_RESOURCE_ERROR_BUSY: the resource is in use (by another program, for a device). */
    public static final int RESOURCE_BUSY = 4;
    /** GST_RESOURCE_ERROR_READ: what a source posts when its device stops delivering. */
    public static final int RESOURCE_READ = 9;

    private final String element;
    private final String debug;
    private final String domain;
    private final int code;

    /** An error Hopwire found itself (no GStreamer error domain). */
    public GstPipelineException(String element, String message, String debug) {
        this(element, message, debug, "", 0);
    }

    /**
     * @param domain the GError domain's quark string (e.g. {@link #RESOURCE_ERROR}), empty when not known
     * @param code   the GError code within {@code domain}
     */
    public GstPipelineException(String element, String message, String debug, String domain, int code) {
        super(element + ": " + message + (debug == null || debug.isEmpty() ? "" : " (" + debug + ")"));
        this.element = element;
        this.debug = debug;
        this.domain = domain == null ? "" : domain;
        this.code = code;
    }

    /** The error a pipeline posted on its bus. */
    public static GstPipelineException of(MediaProblem problem) {
        return new GstPipelineException(problem.element(), problem.message(), problem.debug(), problem.domain(),
                problem.code());
    }

    /** The name of the element that posted the error. */
    public String element() {
        return element;
    }

    /** GStreamer's debug text, for logs and bug reports. */
    public String debug() {
        return debug;
    }

    /** The GError domain as its quark's string (e.g. {@link #RESOURCE_ERROR}); empty when not a GStreamer error. */
    public String domain() {
        return domain;
    }

    /** The GError code within {@link #domain()}; 0 when not a GStreamer error. */
    public int code() {
        return code;
    }

    /** The device (or other resource) is in use elsewhere: GST_RESOURCE_ERROR_BUSY, whatever language the text is. */
    public boolean isResourceBusy() {
        return RESOURCE_ERROR.equals(domain) && code == RESOURCE_BUSY;
    }
}
