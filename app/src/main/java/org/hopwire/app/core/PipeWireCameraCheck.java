package org.hopwire.app.core;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.hopwire.app.text.Text;
import org.hopwire.gst.playback.PipeWireCamera;

/**
 * Whether "Borrow as a PipeWire camera" can work here, and if not, why in words. Worked out once, off the UI thread
 * (it initialises GStreamer and looks for PipeWire's socket); menus read the cached {@link #current}.
 */
public final class PipeWireCameraCheck {
    private static volatile CompletableFuture<PipeWireCamera.Availability> checked;

    private PipeWireCameraCheck() {
    }

    /** Starts the check once; later calls return the same answer. */
    public static CompletableFuture<PipeWireCamera.Availability> startChecking() {
        CompletableFuture<PipeWireCamera.Availability> c = checked;
        if (c == null) {
            synchronized (PipeWireCameraCheck.class) {
                if (checked == null) {
                    checked = CompletableFuture.supplyAsync(PipeWireCamera::availability);
                }
                c = checked;
            }
        }
        return c;
    }

    /** The answer when the check has finished. */
    public static Optional<PipeWireCamera.Availability> current() {
        CompletableFuture<PipeWireCamera.Availability> c = checked;
        return c != null && c.isDone() && !c.isCompletedExceptionally() ? Optional.of(c.join()) : Optional.empty();
    }

    /** The menu item's text: its action, or why it cannot. */
    public static String menuText(PipeWireCamera.Availability a) {
        return switch (a.support()) {
            case AVAILABLE -> Text.tr("menu.pipewire.camera");
            case NO_PIPEWIRE -> Text.tr("menu.pipewire.camera.unavailable", Text.tr("pwcam.reason.no.pipewire"));
            case MISSING_ELEMENTS -> Text.tr("menu.pipewire.camera.unavailable", Text.tr("pwcam.reason.missing"));
            case KNOWN_BAD_VERSION -> Text.tr("menu.pipewire.camera.unavailable",
                    Text.tr("pwcam.reason.known.bad", a.version()));
        };
    }
}
