package org.hopwire.app.ui.controls;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javafx.geometry.HPos;
import javafx.geometry.Pos;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;

import org.hopwire.app.text.Text;
import org.hopwire.engine.protocol.ControlMessage;

/**
 * A device's settings as a person changes them: a slider per number (brightness, zoom), a switch per on/off
 * (autofocus), each with its value beside it. Used by the borrower's panel under a preview and by the owner's own
 * "Adjust" dialog; where a change goes is the {@link Sink}'s business.
 *
 * <p>A value from outside (the device's owner, a borrower, the answer to a change) moves a control only when the
 * person has left it alone for a moment, so it does not jump under the mouse. JavaFX thread only.
 */
public final class ControlGrid extends GridPane {
    /** After the person's last touch, values from outside wait this long before they move the control. */
    private static final long HANDS_OFF_NS = 400_000_000L;

    /** Where the person's changes go. */
    public interface Sink {
        void changed(ControlMessage.Control control, long value);
    }

    private final Sink sink;
    private final Map<String, Row> rows = new LinkedHashMap<>();

    /** One control's row. */
    private final class Row {
        final ControlMessage.Control control;
        final Control input;
        final Label value = new Label();
        long lastTouchNs;
        boolean updating;

        Row(ControlMessage.Control c) {
            this.control = c;
            if (c.kind() == ControlMessage.Control.BOOLEAN) {
                CheckBox box = new CheckBox();
                box.selectedProperty().addListener((o, was, now) -> changed(now ? 1 : 0));
                input = box;
            } else {
                Slider s = new Slider(c.min(), c.max(), c.value());
                s.setBlockIncrement(c.step());
                s.setMajorTickUnit(Math.max(c.step(), (c.max() - c.min()) / 4.0));
                s.valueProperty().addListener((o, was, now) -> changed(Math.round(now.doubleValue())));
                s.valueChangingProperty().addListener((o, was, now) -> lastTouchNs = System.nanoTime());
                GridPane.setHgrow(s, Priority.ALWAYS);
                s.setMaxWidth(Double.MAX_VALUE);
                input = s;
            }
            input.setId("control-" + c.name());
            value.setId("control-value-" + c.name());
            value.setMinWidth(44);
            show(c.value());
        }

        private void changed(long v) {
            if (updating) {
                return;
            }
            lastTouchNs = System.nanoTime();
            value.setText(text(v));
            sink.changed(control, v);
        }

        boolean handsOn() {
            return input instanceof Slider s && s.isValueChanging() || System.nanoTime() - lastTouchNs < HANDS_OFF_NS;
        }

        /** Shows a value without sending it. */
        void show(long v) {
            updating = true;
            try {
                if (input instanceof Slider s) {
                    s.setValue(v);
                } else if (input instanceof CheckBox b) {
                    b.setSelected(v != 0);
                }
                value.setText(text(v));
            } finally {
                updating = false;
            }
        }

        String text(long v) {
            return control.kind() == ControlMessage.Control.BOOLEAN ? Text.tr(v != 0 ? "controls.on" : "controls.off")
                    : Long.toString(v);
        }
    }

    public ControlGrid(Sink sink) {
        this.sink = sink;
        getStyleClass().add("control-grid");
        setHgap(8);
        setVgap(2);
        setAlignment(Pos.CENTER_LEFT);
    }

    /**
     * Shows {@code controls}: rows are built again when the set of controls changed, and each value moves its control
     * unless the person is using it.
     */
    public void show(List<ControlMessage.Control> controls) {
        List<String> names = new ArrayList<>();
        controls.forEach(c -> names.add(c.name()));
        if (!names.equals(new ArrayList<>(rows.keySet()))) {
            rebuild(controls);
        }
        for (ControlMessage.Control c : controls) {
            Row r = rows.get(c.name());
            if (r != null && !r.handsOn()) {
                r.show(c.value());
            }
        }
    }

    /** The value actually set for a control: its control snaps to it, unless the person is still moving it. */
    public void confirmed(String name, long value) {
        Row r = rows.get(name);
        if (r != null && !r.handsOn()) {
            r.show(value);
        }
    }

    /** Moves every control to its default and sends each. */
    public void resetToDefaults() {
        for (Row r : rows.values()) {
            r.show(r.control.defaultValue());
            sink.changed(r.control, r.control.defaultValue());
        }
    }

    /** True when no control is shown. */
    public boolean isEmpty() {
        return rows.isEmpty();
    }

    private void rebuild(List<ControlMessage.Control> controls) {
        getChildren().clear();
        rows.clear();
        int y = 0;
        for (ControlMessage.Control c : controls) {
            Row r = new Row(c);
            rows.put(c.name(), r);
            Label name = new Label(label(c.name()));
            name.setLabelFor(r.input);
            name.setMinWidth(Label.USE_PREF_SIZE);
            add(name, 0, y);
            add(r.input, 1, y);
            add(r.value, 2, y);
            GridPane.setHalignment(r.value, HPos.RIGHT);
            y++;
        }
    }

    /** A person's word for a control: the common ones translated, others from the driver's name. */
    public static String label(String name) {
        return switch (name) {
            case "brightness" -> Text.tr("controls.name.brightness");
            case "contrast" -> Text.tr("controls.name.contrast");
            case "saturation" -> Text.tr("controls.name.saturation");
            case "hue" -> Text.tr("controls.name.hue");
            case "exposure_time_absolute", "exposure_absolute" -> Text.tr("controls.name.exposure");
            case "auto_exposure", "exposure_auto" -> Text.tr("controls.name.auto.exposure");
            case "focus_absolute" -> Text.tr("controls.name.focus");
            case "focus_automatic_continuous", "focus_auto" -> Text.tr("controls.name.autofocus");
            case "zoom_absolute" -> Text.tr("controls.name.zoom");
            case "pan_absolute" -> Text.tr("controls.name.pan");
            case "tilt_absolute" -> Text.tr("controls.name.tilt");
            case "white_balance_temperature" -> Text.tr("controls.name.white.balance");
            case "white_balance_automatic", "white_balance_temperature_auto" ->
                    Text.tr("controls.name.auto.white.balance");
            case "sharpness" -> Text.tr("controls.name.sharpness");
            case "gain" -> Text.tr("controls.name.gain");
            default -> {
                String words = name.replace('_', ' ');
                yield words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
            }
        };
    }
}
