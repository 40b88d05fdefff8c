package org.hopwire.app.ui.preview;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

import org.hopwire.app.text.Text;
import org.hopwire.app.ui.controls.ControlGrid;
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

    private final Supplier<Optional<PeerSession>> session;
    private final Supplier<OptionalInt> channel;
    private final String peerName;
    private final String deviceName;
    private final Label status = new Label();
    private final ControlGrid grid = new ControlGrid(this::send);
    private final Button reset = new Button(Text.tr("controls.reset"));
    private final ToggleButton toggle = new ToggleButton(Text.tr("controls.toggle"));
    private final Timeline poll = new Timeline(new KeyFrame(POLL, e -> refresh()));
    private String problem = "";

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
        reset.setId("controls-reset");
        reset.setTooltip(new Tooltip(Text.tr("controls.reset.tip", peerName)));
        reset.setOnAction(e -> grid.resetToDefaults());
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

    private void send(ControlMessage.Control control, long v) {
        Optional<PeerSession> s = session.get();
        OptionalInt ch = channel.get();
        if (s.isEmpty() || ch.isEmpty()) {
            return;
        }
        try {
            s.get().setControl(ch.getAsInt(), control.name(), v).whenComplete((st, e) -> Platform.runLater(
                    () -> confirmed(control.name(), st, e)));
        } catch (SessionException e) {
            problem = Text.tr("controls.failed", deviceName, e.getMessage());
            status.setText(problem);
        }
    }

    /** The owner's answer: the control snaps to the value it confirmed, unless the person is still moving it. */
    private void confirmed(String name, ControlState st, Throwable e) {
        if (e != null) {
            return; // superseded by a later change, or the borrow ended: nothing to show for this one
        }
        if (st.status() == ControlState.REFUSED) {
            problem = Text.tr("controls.refused.now", peerName, deviceName);
            status.setText(problem);
        }
        grid.confirmed(name, st.value());
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
            grid.show(controls);
            reset.setVisible(false);
            return;
        }
        reset.setVisible(true);
        grid.show(controls);
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
}
