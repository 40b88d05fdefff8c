package org.hopwire.gst.capture;

import org.hopwire.gst.GstRuntime;

final class CaptureHelpers {
    private CaptureHelpers() {
    }

    static boolean has(String element) {
        try {
            return GstRuntime.hasElement(element);
        } catch (Exception e) {
            return false;
        }
    }
}
