package org.hopwire.app.ui;

import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The app's icons, made in code from the Material Design Icons font (their SVG originals and names are listed in
 * {@code icons/README.md}). One place names them, so the same thing always looks the same.
 */
public final class Icons {
    public static final String CAMERA = "mdi2c-camera";
    public static final String MICROPHONE = "mdi2m-microphone";
    public static final String LAPTOP = "mdi2l-laptop";
    public static final String THIS_HOST = "mdi2m-monitor";
    public static final String SETTINGS = "mdi2c-cog";
    public static final String PREVIEW = "mdi2e-eye";
    public static final String RETURN = "mdi2a-arrow-u-left-top";
    public static final String REVOKE = "mdi2c-cancel";
    public static final String OFFER = "mdi2s-share";
    public static final String BORROW = "mdi2d-download";
    public static final String PAIRING = "mdi2s-shield-key";
    public static final String PAIRED = "mdi2s-shield-check";
    public static final String CONNECTED = "mdi2l-lan-connect";
    public static final String OFFLINE = "mdi2l-lan-disconnect";
    public static final String WARNING = "mdi2a-alert-circle";
    public static final String INFO = "mdi2i-information";
    public static final String OK = "mdi2c-check-circle";
    public static final String RECORD = "mdi2r-record-rec";
    public static final String WEBCAM = "mdi2w-webcam";
    public static final String CABLE = "mdi2c-cable-data";
    public static final String FORMAT = "mdi2t-tune";
    public static final String ADJUST = "mdi2t-tune-vertical";
    /** Pictures and sound together: a capture card's HDMI input. */
    public static final String CAPTURE_CARD = "mdi2v-video-input-hdmi";

    private Icons() {
    }

    /** Each name's glyph, looked up once: Ikonli finds a name by a walk through its whole icon set. */
    private static final java.util.Map<String, Ikon> RESOLVED = new java.util.concurrent.ConcurrentHashMap<>();

    public static FontIcon icon(String name) {
        FontIcon i = FontIcon.of(RESOLVED.computeIfAbsent(name, Icons::resolve));
        i.getStyleClass().add("hw-icon");
        return i;
    }

    private static Ikon resolve(String name) {
        // A node may be made off the UI thread while no scene holds it.
        return new FontIcon(name).getIconCode();
    }

    /** Looks up every icon the app uses, off the UI thread, so the first row that shows one does not. */
    public static void resolveAll() {
        names().forEach(name -> RESOLVED.computeIfAbsent(name, Icons::resolve));
    }

    /** The name of every icon this class names. */
    static java.util.List<String> names() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (java.lang.reflect.Field f : Icons.class.getFields()) {
            if (f.getType() == String.class && java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                try {
                    names.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }

    /** The icon for a device of a catalog kind: a camera, a microphone, or pictures and sound together. */
    public static FontIcon deviceOfKind(int kind) {
        return kind == org.hopwire.engine.protocol.ControlMessage.Device.AUDIO_VIDEO ? icon(CAPTURE_CARD)
                : device(kind == org.hopwire.engine.protocol.ControlMessage.Device.VIDEO);
    }

    /** The icon for a device of this kind (video or audio). */
    public static FontIcon device(boolean video) {
        return icon(video ? CAMERA : MICROPHONE);
    }
}
