package org.hopwire.gst.device;

import org.freedesktop.gstreamer.Element;

/** Makes the source element of a capture pipeline for one device. */
@FunctionalInterface
public interface SourceFactory {
    /** A new source element (or bin with a ghost "src" pad) named {@code name}. */
    Element create(String name);
}
