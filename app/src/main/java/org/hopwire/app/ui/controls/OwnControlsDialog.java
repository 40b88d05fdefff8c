package org.hopwire.app.ui.controls;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.Duration;

import org.hopwire.app.core.Snapshot;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.app.ui.questions.OwnedDialog;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.session.SessionHandler;

/**
 * The owner's own settings of one of this host's devices ("Adjust…" on This host): the same sliders a borrower has
 * under its preview, set here as the owner. Every capture of the device takes the value, and every peer that borrows
 * it sees the change (the hub tells them).
 *
 * <p>A change is set on one worker thread of the dialog's own, never on the JavaFX thread: one change is on its way at
 * a time, and while it is, only the latest value of each control waits (dragging a slider sends what the device can
 * take, not every pixel of the drag). The slider snaps to the value the device took. The values are read again four
 * times a second while the dialog shows, so a borrower's change shows here too.
 */
public final class OwnControlsDialog {
    /** How often the dialog reads the values: a borrower's change shows within this. */
    private static final Duration POLL = Duration.millis(250);

    private final MainViewModel model;
    private final String deviceId;
    private final String deviceName;
    private final Dialog<Void> dialog = new Dialog<>();
    private final Label who = new Label();
    private final Label status = new Label();
    private final ControlGrid grid = new ControlGrid(this::send);
    private final Button reset = new Button(Text.tr("own.controls.reset"));
    private final Timeline poll = new Timeline(new KeyFrame(POLL, e -> refresh()));
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hopwire-own-controls");
        t.setDaemon(true);
        return t;
    });
    /** The latest value of each control waiting for the change on its way (JavaFX thread only). */
    private final Map<String, Long> pending = new LinkedHashMap<>();
    private boolean busy;
    private String problem = "";

    private OwnControlsDialog(MainViewModel model, String deviceId, String deviceName) {
        this.model = model;
        this.deviceId = deviceId;
        this.deviceName = deviceName;
        dialog.setTitle(Text.tr("own.controls.title", deviceName));
        dialog.getDialogPane().setId("own-controls");
        dialog.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        who.setId("own-controls-who");
        who.setWrapText(true);
        status.setId("own-controls-status");
        status.setWrapText(true);
        status.managedProperty().bind(status.textProperty().isNotEmpty());
        status.visibleProperty().bind(status.textProperty().isNotEmpty());
        reset.setId("own-controls-reset");
        reset.setTooltip(new Tooltip(Text.tr("own.controls.reset.tip", deviceName)));
        reset.setOnAction(e -> grid.resetToDefaults());
        VBox content = new VBox(8, who, status, grid, reset);
        content.setPrefWidth(420);
        content.getStyleClass().add("controls-panel");
        dialog.getDialogPane().setContent(content);
        poll.setCycleCount(Timeline.INDEFINITE);
        dialog.setOnShown(e -> poll.play());
        dialog.setOnHidden(e -> {
            poll.stop();
            // A change on its way still finishes; what waits behind it is dropped with the dialog.
            pending.clear();
            worker.shutdown();
        });
        refresh();
    }

    /** Opens the settings of {@code deviceId} over {@code owner}; returns the dialog, to bring forward later. */
    public static Dialog<Void> open(MainViewModel model, String deviceId, String deviceName, Window owner) {
        OwnControlsDialog d = new OwnControlsDialog(model, deviceId, deviceName);
        OwnedDialog.prepare(d.dialog, owner);
        d.dialog.show();
        return d.dialog;
    }

    /** Reads the device's controls and who borrows it, and shows them. */
    private void refresh() {
        List<ControlMessage.Control> controls = model.hub().ownControls(deviceId);
        grid.show(controls);
        boolean none = controls.isEmpty();
        reset.setDisable(none);
        List<String> borrowers = model.snapshot().lends().stream().filter(l -> l.deviceId().equals(deviceId))
                .map(Snapshot.Lend::peerName).distinct().toList();
        who.setText(borrowers.isEmpty() ? Text.tr("own.controls.who.none", deviceName)
                : Text.tr("own.controls.who", deviceName, String.join(", ", borrowers)));
        status.setText(none ? Text.tr("own.controls.gone", deviceName) : problem);
    }

    private void send(ControlMessage.Control control, long value) {
        pending.put(control.name(), value);
        if (!busy) {
            next();
        }
    }

    /** Sends the oldest waiting change, if any (JavaFX thread). */
    private void next() {
        Iterator<Map.Entry<String, Long>> it = pending.entrySet().iterator();
        if (!it.hasNext()) {
            busy = false;
            return;
        }
        Map.Entry<String, Long> e = it.next();
        it.remove();
        String name = e.getKey();
        long value = e.getValue();
        busy = true;
        try {
            CompletableFuture.supplyAsync(() -> {
                try {
                    return model.hub().setOwnControl(deviceId, name, value);
                } catch (SessionHandler.ControlFailed x) {
                    throw new CompletionException(x);
                }
            }, worker).whenComplete((actual, x) -> Platform.runLater(() -> done(name, actual, x)));
        } catch (RejectedExecutionException closed) {
            busy = false; // the dialog closed: nothing more is sent
        }
    }

    private void done(String name, Long actual, Throwable x) {
        if (x != null) {
            Throwable why = x instanceof CompletionException && x.getCause() != null ? x.getCause() : x;
            problem = Text.tr("own.controls.failed", ControlGrid.label(name), deviceName, why.getMessage());
            status.setText(problem);
        } else {
            problem = "";
            status.setText("");
            grid.confirmed(name, actual);
        }
        next();
    }
}
