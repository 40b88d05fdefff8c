package org.hopwire.gst;

/** A pipeline stopped with an error on its bus: carries the element that failed and GStreamer's debug text. */
public class GstPipelineException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String element;
    private final String debug;

    public GstPipelineException(String element, String message, String debug) {
        super(element + ": " + message + (debug == null || debug.isEmpty() ? "" : " (" + debug + ")"));
        this.element = element;
        this.debug = debug;
    }

    /** The name of the element that posted the error. */
    public String element() {
        return element;
    }

    /** GStreamer's debug text, for logs and bug reports. */
    public String debug() {
        return debug;
    }
}
