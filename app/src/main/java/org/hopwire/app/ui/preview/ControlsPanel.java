package org.hopwire.app.ui.preview;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

import org.hopwire.app.text.Text;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlMessage.ControlAccess;
import org.hopwire.engine.protocol.ControlMessage.ControlState;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionException;

/**
 * The settings of a borrowed device under its preview: a slider per number (brightness, zoom), a switch per on/off
 * (autofocus). A change goes to the owner at once; while a slider is dragged the session keeps one change on its way
 * and sends the latest when it is confirmed, so the picture follows without flooding the owner. The slider snaps to
 * the value the owner confirms, and follows the owner's own changes. When the owner did not let this host adjust the
 * device, the controls are shown disabled with the reason; when it will ask its person, the panel says so.
 *
 * <p>Everything runs on the JavaFX thread: a change only queues a message (it never waits), and the values are read
 * from the session's copy ten times a second while the panel shows.
 */
public final class ControlsPanel extends VBox {
    /** How often the panel reads the values: the owner's own changes show within this. */
    private static final Duration POLL = Duration.millis(100);
    /** After the person's last touch, values from the session wait this long before they move the control. */
    private static final long HANDS_OFF_NS = 400_000_000L;

    private final Supplier<Optional<PeerSession>> session;
    private final Supplier<OptionalInt> channel;
    private final String peerName;
    private final String deviceName;
    private final Label status = new Label();
    private final GridPane grid = new GridPane();
    private final Button reset = new Button(Text.tr("controls.reset"));
    private final ToggleButton toggle = new ToggleButton(Text.tr("controls.toggle"));
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final Timeline poll = new Timeline(new KeyFrame(POLL, e -> refresh()));
    private String problem = "";

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
                HBoxGrow.grow(s);
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
            send(this, v);
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

    /** Lets a slider take the grid's spare width. */
    private static final class HBoxGrow {
        static void grow(Slider s) {
            GridPane.setHgrow(s, Priority.ALWAYS);
            s.setMaxWidth(Double.MAX_VALUE);
        }
    }

    /**
     * @param session  the session with the owner now, if any
     * @param channel  the borrow's channel now, if it is running
     */
    public ControlsPanel(Supplier<Optional<PeerSession>> session, Supplier<OptionalInt> channel, String peerName,
                         String deviceName) {
        this.session = session;
        this.channel = channel;
        this.peerName = peerName;
        this.deviceName = deviceName;
        getStyleClass().add("controls-panel");
        setId("controls-panel");
        setSpacing(4);
        status.setId("controls-status");
        status.setWrapText(true);
        // Takes a line only when it says something.
        status.managedProperty().bind(status.textProperty().isNotEmpty());
        status.visibleProperty().bind(status.textProperty().isNotEmpty());
        grid.setHgap(8);
        grid.setVgap(2);
        reset.setId("controls-reset");
        reset.setTooltip(new Tooltip(Text.tr("controls.reset.tip", peerName)));
        reset.setOnAction(e -> rows.values().forEach(r -> {
            r.show(r.control.defaultValue());
            send(r, r.control.defaultValue());
        }));
        getChildren().addAll(status, grid, reset);
        toggle.setId("controls-toggle");
        toggle.setTooltip(new Tooltip(Text.tr("controls.toggle.tip", deviceName, peerName)));
        setVisible(false);
        setManaged(false);
        toggle.selectedProperty().addListener((o, was, on) -> {
            setVisible(on);
            setManaged(on);
            if (on) {
                refresh();
                poll.play();
            } else {
                poll.stop();
            }
        });
        poll.setCycleCount(Timeline.INDEFINITE);
    }

    /** The button that shows and hides the panel, for the preview's header. */
    public ToggleButton toggle() {
        return toggle;
    }

    /** Stops reading; the preview closed. */
    public void dispose() {
        poll.stop();
    }

    private void send(Row row, long v) {
        Optional<PeerSession> s = session.get();
        OptionalInt ch = channel.get();
        if (s.isEmpty() || ch.isEmpty()) {
            return;
        }
        try {
            s.get().setControl(ch.getAsInt(), row.control.name(), v).whenComplete((st, e) -> Platform.runLater(
                    () -> confirmed(row, st, e)));
        } catch (SessionException e) {
            problem = Text.tr("controls.failed", deviceName, e.getMessage());
            status.setText(problem);
        }
    }

    /** The owner's answer: the control snaps to the value it confirmed, unless the person is still moving it. */
    private void confirmed(Row row, ControlState st, Throwable e) {
        if (e != null) {
            return; // superseded by a later change, or the borrow ended: nothing to show for this one
        }
        if (st.status() == ControlState.REFUSED) {
            problem = Text.tr("controls.refused.now", peerName, deviceName);
            status.setText(problem);
        }
        if (!row.handsOn()) {
            row.show(st.value());
        }
    }

    /** Reads the controls and the permission from the session, and shows them. */
    void refresh() {
        Optional<PeerSession> s = session.get();
        OptionalInt ch = channel.get();
        if (s.isEmpty() || ch.isEmpty()) {
            status.setText(Text.tr("controls.waiting", peerName));
            grid.setDisable(true);
            return;
        }
        List<ControlMessage.Control> controls = s.get().borrowedControls(ch.getAsInt());
        if (controls.isEmpty()) {
            status.setText(Text.tr("controls.none", deviceName));
            grid.getChildren().clear();
            rows.clear();
            reset.setVisible(false);
            return;
        }
        reset.setVisible(true);
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
        ControlAccess access = s.get().borrowedControlAccess(ch.getAsInt());
        boolean refused = access != null && access.access() == ControlAccess.REFUSED;
        grid.setDisable(refused);
        reset.setDisable(refused);
        if (refused) {
            status.setText(Text.tr("controls.refused", peerName, deviceName));
            status.setTooltip(new Tooltip(access.reason()));
        } else if (access != null && access.access() == ControlAccess.ASK) {
            status.setText(Text.tr("controls.ask", peerName));
        } else {
            status.setText(problem);
        }
    }

    private void rebuild(List<ControlMessage.Control> controls) {
        grid.getChildren().clear();
        rows.clear();
        int y = 0;
        for (ControlMessage.Control c : controls) {
            Row r = new Row(c);
            rows.put(c.name(), r);
            Label name = new Label(label(c.name()));
            name.setLabelFor(r.input);
            name.setMinWidth(Label.USE_PREF_SIZE);
            grid.add(name, 0, y);
            grid.add(r.input, 1, y);
            grid.add(r.value, 2, y);
            GridPane.setHalignment(r.value, javafx.geometry.HPos.RIGHT);
            y++;
        }
        grid.setAlignment(Pos.CENTER_LEFT);
    }

    /** A person's word for a control: the common ones translated, others from the driver's name. */
    static String label(String name) {
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
