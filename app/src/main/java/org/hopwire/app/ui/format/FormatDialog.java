package org.hopwire.app.ui.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import org.hopwire.app.text.Text;
import org.hopwire.app.ui.model.FormatWords;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.app.ui.questions.OwnedDialog;
import org.hopwire.gst.format.FormatChooser;

/**
 * "Choose format…" of a peer's device: Automatic (the owner chooses within the link and the global policy), or one of
 * the sizes, rates and encodings the device offers, each with the chooser's reason next to it ("raw: fits, 187 MB/s
 * of 1.1 GB/s"); what the link cannot carry is shown but cannot be chosen. The choice is remembered for the device and
 * asked for by its later borrows; a device borrowed now changes at once. Owned by the window, not modal.
 */
public final class FormatDialog {
    /** One row: Automatic (no option) or an option. */
    public record Row(Optional<FormatChooser.Option> option, String text) {
        public boolean selectable() {
            return option.map(FormatChooser.Option::selectable).orElse(true);
        }

        /** The caps text to ask for; "" for Automatic. */
        public String caps() {
            return option.map(FormatChooser.Option::caps).orElse("");
        }
    }

    private final Dialog<ButtonType> dialog = new Dialog<>();
    private final ListView<Row> list = new ListView<>();
    private final ButtonType use = new ButtonType(Text.tr("format.dialog.use"), ButtonBar.ButtonData.OK_DONE);

    private FormatDialog(MainViewModel model, UUID peer, String peerName, String deviceId, String deviceName) {
        List<Row> rows = rows(model.formatOptions(peer, deviceId), peerName);
        list.getItems().setAll(rows);
        list.setId("format-list");
        list.setPrefSize(520, 360);
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Row row, boolean empty) {
                super.updateItem(row, empty);
                setText(empty || row == null ? null : row.text());
                setDisable(!empty && row != null && !row.selectable());
                setTooltip(empty || row == null ? null : new Tooltip(row.text()));
            }
        });
        String remembered = model.rememberedFormat(peer, deviceId).orElse("");
        int at = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).caps().equals(remembered)) {
                at = i;
            }
        }
        list.getSelectionModel().select(at);
        list.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (now != null && !now.selectable()) {
                // What the link cannot carry stays visible with its reason, but is not chosen.
                Platform.runLater(() -> list.getSelectionModel().select(was));
            }
        });
        Label intro = new Label(Text.tr("format.dialog.intro", deviceName, peerName));
        intro.setWrapText(true);
        // Wrapped at the list's width: a label that may take any width stretches the dialog past the screen.
        intro.setPrefWidth(520);
        intro.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        dialog.setTitle(Text.tr("format.dialog.title", deviceName));
        dialog.setHeaderText(Text.tr("format.dialog.header", deviceName, peerName));
        dialog.getDialogPane().setContent(new VBox(8, intro, list));
        dialog.getDialogPane().setPrefWidth(580);
        dialog.setResizable(true);
        ButtonType cancel = new ButtonType(Text.tr("dialog.cancel"), ButtonBar.ButtonData.CANCEL_CLOSE);
        dialog.getDialogPane().getButtonTypes().addAll(cancel, use);
        ((Button) dialog.getDialogPane().lookupButton(use)).setId("format-use");
        ((Button) dialog.getDialogPane().lookupButton(cancel)).setId("format-cancel");
        dialog.resultProperty().addListener((o, was, answer) -> {
            Row chosen = list.getSelectionModel().getSelectedItem();
            if (answer == use && chosen != null && chosen.selectable()) {
                model.rememberFormat(peer, deviceId, chosen.caps());
                boolean borrowed = model.snapshot().borrows().stream().anyMatch(b -> b.peer().equals(peer)
                        && b.deviceId().equals(deviceId) && !b.waiting());
                if (borrowed) {
                    model.changeFormat(peer, deviceId, chosen.caps());
                }
            }
        });
    }

    /** Automatic first, then every option with its reason. */
    public static List<Row> rows(List<FormatChooser.Option> options, String peerName) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row(Optional.empty(), Text.tr("format.automatic", peerName)));
        for (FormatChooser.Option o : options) {
            rows.add(new Row(Optional.of(o), FormatWords.option(o)));
        }
        return rows;
    }

    /** Opens the dialog for a peer's device over {@code owner}; it does not block the window. */
    public static FormatDialog show(Window owner, MainViewModel model, UUID peer, String peerName, String deviceId,
                                    String deviceName) {
        FormatDialog d = new FormatDialog(model, peer, peerName, deviceId, deviceName);
        OwnedDialog.prepare(d.dialog, owner);
        d.dialog.show();
        return d;
    }

    /** The rows shown (tests). */
    public List<Row> rows() {
        return List.copyOf(list.getItems());
    }
}
