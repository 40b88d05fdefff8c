package org.hopwire.app.ui.preview;

import java.util.UUID;

import javafx.application.Platform;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Region;

import org.hopwire.app.core.Snapshot;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.format.FormatDialog;
import org.hopwire.app.ui.model.FormatWords;
import org.hopwire.app.ui.model.MainViewModel;

/**
 * The preview's Format button: the borrowed camera's format now, and the others the device and link allow, each with
 * the chooser's reason; picking one changes the borrow's format live (the preview and every output follow; the
 * borrow is not returned). Disabled while a change waits for the owner's answer. Not remembered: "Choose format…" in
 * the borrow menu is for that.
 */
final class FormatMenu extends MenuButton {
    private final MainViewModel model;
    private final UUID peer;
    private final String deviceId;

    FormatMenu(MainViewModel model, UUID peer, String deviceId) {
        super(Text.tr("format.preview.button"), org.hopwire.app.ui.Icons.icon(org.hopwire.app.ui.Icons.FORMAT));
        this.model = model;
        this.peer = peer;
        this.deviceId = deviceId;
        setId("preview-format");
        setTooltip(new Tooltip(Text.tr("format.preview.tip")));
        setMinWidth(Region.USE_PREF_SIZE);
        // Filled as it opens: the options follow the link's rate and the borrow's caps at that moment.
        setOnShowing(e -> fill());
        getItems().add(new MenuItem()); // a menu with no item never opens
    }

    /** Whether the device is a camera (sound has no format to choose). */
    static boolean applies(MainViewModel model, UUID peer, String deviceId) {
        return model.snapshot().peer(peer).flatMap(p -> p.device(deviceId)).map(Snapshot.Device::isVideo)
                .orElse(false);
    }

    private void fill() {
        getItems().clear();
        String now = model.snapshot().borrows().stream().filter(b -> b.peer().equals(peer)
                && b.deviceId().equals(deviceId)).map(Snapshot.Borrowed::caps).findFirst().orElse("");
        MenuItem current = new MenuItem(Text.tr("format.preview.current", FormatWords.ofCaps(now)));
        current.setDisable(true);
        getItems().addAll(current, new SeparatorMenuItem());
        String peerName = model.snapshot().peer(peer).map(Snapshot.Peer::name).orElse("");
        for (FormatDialog.Row row : FormatDialog.rows(model.formatOptions(peer, deviceId), peerName)) {
            MenuItem item = new MenuItem(row.text());
            item.setDisable(!row.selectable());
            item.setOnAction(e -> change(row.caps()));
            getItems().add(item);
        }
    }

    private void change(String caps) {
        setDisable(true);
        model.changeFormat(peer, deviceId, caps).whenComplete((b, e) -> Platform.runLater(() -> setDisable(false)));
    }
}
