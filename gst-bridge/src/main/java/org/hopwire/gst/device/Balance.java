package org.hopwire.gst.device;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.freedesktop.gstreamer.Element;
import org.hopwire.engine.protocol.ControlMessage.Control;

/**
 * The colour-balance controls a capture gets from a {@code videobalance} element (for sources that have no controls
 * of their own, such as the test camera): brightness, contrast, saturation and hue, as whole numbers a slider shows,
 * each mapped to the element's property (a number from -1 to 1, or 0 to 2) by a hundredth.
 */
public final class Balance {
    /** The element's name in a capture pipeline. */
    public static final String ELEMENT = "balance";

    /** brightness and hue -100..100 (0 is none), contrast and saturation 0..200 (100 is none). */
    public static final List<Control> CONTROLS = List.of(
            new Control("brightness", Control.INTEGER, -100, 100, 1, 0, 0),
            new Control("contrast", Control.INTEGER, 0, 200, 1, 100, 100),
            new Control("saturation", Control.INTEGER, 0, 200, 1, 100, 100),
            new Control("hue", Control.INTEGER, -100, 100, 1, 0, 0));

    private Balance() {
    }

    /** The balance control of that name, if it is one. */
    public static Optional<Control> control(String name) {
        return CONTROLS.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Sets the element's property and returns the value it holds afterwards, as the control's number. */
    public static long apply(Element balance, Control control, long value) {
        long v = control.clamp(value);
        String property = control.name().toLowerCase(Locale.ROOT);
        balance.set(property, v / 100.0);
        Object now = balance.get(property);
        return now instanceof Number n ? control.clamp(Math.round(n.doubleValue() * 100)) : v;
    }
}
