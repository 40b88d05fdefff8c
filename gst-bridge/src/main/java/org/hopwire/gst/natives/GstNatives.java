package org.hopwire.gst.natives;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import org.freedesktop.gstreamer.event.Event;
import org.freedesktop.gstreamer.glib.Natives;
import org.freedesktop.gstreamer.message.Message;

/**
 * The few GStreamer C calls gst1-java-core does not wrap: the domain, code and debug text of bus errors and
 * warnings, and the upstream force-key-unit event. The only place in Hopwire that calls native code directly.
 */
public final class GstNatives {
    private GstNatives() {
    }

    /** libgstreamer-1.0: message parsing. */
    private interface Core extends Library {
        void gst_message_parse_error(Pointer message, PointerByReference error, PointerByReference debug);

        void gst_message_parse_warning(Pointer message, PointerByReference error, PointerByReference debug);

        void g_error_free(Pointer error);

        void g_free(Pointer memory);

        String g_quark_to_string(int quark);

        int gst_resource_error_quark();

        Pointer g_error_new_literal(int domain, int code, String message);

        Pointer gst_message_new_error(Pointer source, Pointer error, String debug);

        boolean gst_element_post_message(Pointer element, Pointer message);

        Pointer gst_object_get_path_string(Pointer object);
    }

    /** libgstvideo-1.0: video events. */
    private interface Video extends Library {
        Pointer gst_video_event_new_upstream_force_key_unit(long runningTime, int allHeaders, int count);
    }

    private static final class Holder {
        static final Core CORE = load(Core.class, "gstreamer-1.0", "libgstreamer-1.0.so.0");
        static final Video VIDEO = load(Video.class, "gstvideo-1.0", "libgstvideo-1.0.so.0");
    }

    private static <T extends Library> T load(Class<T> type, String name, String soname) {
        try {
            return Native.load(name, type);
        } catch (UnsatisfiedLinkError e) {
            // Debian ships only the versioned file without the -dev package.
            return Native.load(soname, type);
        }
    }

    /**
     * What an ERROR or WARNING message says: its text (the GError's message, in the language GStreamer speaks), which
     * kind of error (the GError's domain, as its quark's string, e.g. "gst-resource-error-quark") and its code in that
     * domain, which do not change with the language, and the debug text.
     *
     * @param text   the GError's message, empty when there is none
     * @param domain the GError domain's quark string, empty when there is none
     * @param code   the GError code within the domain
     * @param debug  GStreamer's debug text (may be empty)
     */
    public record ErrorDetail(String text, String domain, int code, String debug) {
        /** Nothing known: what a message that could not be parsed gives. */
        public static final ErrorDetail NONE = new ErrorDetail("", "", 0, "");
    }

    /**
     * The text, domain, code and debug text of an ERROR or WARNING message, read in one parse; GStreamer's own words
     * on what went wrong.
     *
     * <p>Never use gst1-java-core's {@code ErrorMessage.getMessage()}, {@code getCode()} (nor those of
     * {@code WarningMessage} and {@code InfoMessage}) instead: they hand {@code g_error_free} the copy JNA made of the
     * GError in Java's own native memory, and GLib then puts that malloc block on its slice allocator's free list.
     * The next GError (or any 16-byte slice) is then carved out of memory malloc gives out again, and the process
     * dies later far from the cause (SIGSEGV in {@code g_slice_alloc}, {@code free(): invalid pointer}).
     * {@code ArchitectureTest} forbids those calls; the test JVMs run with {@code G_SLICE=debug-blocks}, under which
     * GLib aborts at such a free.
     */
    public static ErrorDetail errorDetail(Message message, boolean warning) {
        PointerByReference error = new PointerByReference();
        PointerByReference debug = new PointerByReference();
        Pointer raw = Natives.getRawPointer(message);
        if (warning) {
            Holder.CORE.gst_message_parse_warning(raw, error, debug);
        } else {
            Holder.CORE.gst_message_parse_error(raw, error, debug);
        }
        Pointer d = debug.getValue();
        String debugText = "";
        if (d != null) {
            debugText = d.getString(0);
            Holder.CORE.g_free(d);
        }
        String text = "";
        String domain = "";
        int code = 0;
        Pointer e = error.getValue();
        if (e != null) {
            // struct GError { GQuark domain; gint code; gchar *message; }: two 32-bit fields, then the text.
            int quark = e.getInt(0);
            code = e.getInt(4);
            Pointer m = e.getPointer(8);
            text = m == null ? "" : m.getString(0);
            String name = quark == 0 ? null : Holder.CORE.g_quark_to_string(quark);
            domain = name == null ? "" : name;
            Holder.CORE.g_error_free(e); // GStreamer's own copy, from GLib's allocator: freed by GLib's call
        }
        return new ErrorDetail(text, domain, code, debugText);
    }

    /**
     * Posts a GStreamer resource error (domain GST_RESOURCE_ERROR) with {@code code} from {@code element}, as a
     * source whose device vanished or is taken does.
     */
    public static void postResourceError(org.freedesktop.gstreamer.Element element, int code, String message,
                                         String debug) {
        Pointer error = Holder.CORE.g_error_new_literal(Holder.CORE.gst_resource_error_quark(), code, message);
        Pointer raw = Natives.getRawPointer(element);
        Pointer msg = Holder.CORE.gst_message_new_error(raw, error, debug);
        Holder.CORE.g_error_free(error);
        // Takes the message (transfer full), also when it refuses it: an element in no pipeline yet has no bus.
        Holder.CORE.gst_element_post_message(raw, msg);
    }

    /**
     * GStreamer's path of {@code object}: "/GstPipeline:NAME/GstBin:branch1/GstQueue:queue3", read in one call under
     * GStreamer's own locks (no wrapper is made for each parent); empty when it has none.
     */
    public static String pathString(org.freedesktop.gstreamer.GstObject object) {
        Pointer p = Holder.CORE.gst_object_get_path_string(Natives.getRawPointer(object));
        if (p == null) {
            return "";
        }
        try {
            return p.getString(0);
        } finally {
            Holder.CORE.g_free(p);
        }
    }

    /** An upstream event asking encoders for a key frame (with stream headers) as soon as possible. */
    public static Event forceKeyUnit() {
        Pointer event = Holder.VIDEO.gst_video_event_new_upstream_force_key_unit(-1L, 1, 0);
        return Natives.callerOwnsReturn(event, Event.class);
    }

    /** libgstreamer-1.0: the clock and latency of playbacks that must keep in step (a capture card's two halves). */
    private interface Timing extends Library {
        Pointer gst_system_clock_obtain();

        void gst_pipeline_set_latency(Pointer pipeline, long latency);
    }

    private static final class TimingHolder {
        static final Timing TIMING = load(Timing.class, "gstreamer-1.0", "libgstreamer-1.0.so.0");
    }

    /** GStreamer's system clock (CLOCK_MONOTONIC, the clock of {@link System#nanoTime} on Linux). */
    public static org.freedesktop.gstreamer.Clock systemClock() {
        return Natives.callerOwnsReturn(TimingHolder.TIMING.gst_system_clock_obtain(),
                org.freedesktop.gstreamer.Clock.class);
    }

    /** Fixes a pipeline's latency instead of the one its elements' latency query gives. */
    public static void setLatency(org.freedesktop.gstreamer.Pipeline pipeline, long latencyNs) {
        TimingHolder.TIMING.gst_pipeline_set_latency(Natives.getRawPointer(pipeline), latencyNs);
    }
}
