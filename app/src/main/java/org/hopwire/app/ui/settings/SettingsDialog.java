package org.hopwire.app.ui.settings;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.StringConverter;

import org.hopwire.app.core.Settings;
import org.hopwire.app.core.SettingsStore;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.questions.OwnedDialog;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.trust.PairedPeer;
import org.hopwire.gst.format.FormatPolicy;

/**
 * Settings: the fabric (applies at the next launch), the default format policy, what to do when a peer asks for a
 * device, how the pictures are protected on the cable (from each peer's next connection), and the remembered peers
 * (forget one to pair again with a new code). Each label's underlined letter with Alt moves to its control. The
 * pairing store is read off the UI thread.
 */
public final class SettingsDialog {
    /** The settings shown now, if any: one at a time (the dialog is not modal, so the menu can ask again). */
    private static Dialog<ButtonType> open;

    private SettingsDialog() {
    }

    /** What each choice of data protection means, as the person reads it; strongest first. */
    static String describe(FrameSeal.Protection p) {
        return switch (p) {
            case ENCRYPTED -> Text.tr("settings.protection.encrypted");
            case AUTHENTICATED -> Text.tr("settings.protection.authenticated");
            case NONE -> Text.tr("settings.protection.none");
        };
    }

    /** A label whose underlined letter (after "_") with Alt moves the focus to {@code target}. */
    private static Label label(String text, javafx.scene.Node target) {
        Label l = new Label(text);
        l.setMnemonicParsing(true);
        l.setLabelFor(target);
        return l;
    }

    private static Label hint(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("hint");
        return l;
    }

    /** A choice box that shows people words ({@code label}), not the values' names. */
    private static <T> void showAs(ChoiceBox<T> box, java.util.function.Function<T, String> label) {
        box.setConverter(new StringConverter<>() {
            @Override
            public String toString(T value) {
                return value == null ? "" : label.apply(value);
            }

            @Override
            public T fromString(String text) {
                return box.getItems().stream().filter(v -> label.apply(v).equals(text)).findFirst().orElse(null);
            }
        });
    }

    /** The fabric choice in words. */
    static String fabricLabel(Fabrics.Choice choice) {
        return switch (choice) {
            case AUTO -> Text.tr("settings.fabric.auto");
            case KERNEL -> Text.tr("settings.fabric.kernel");
            case EMULATED -> Text.tr("settings.fabric.emulated");
        };
    }

    /** The video format choice in words. */
    static String formatLabel(FormatPolicy policy) {
        return switch (policy) {
            case AUTOMATIC -> Text.tr("settings.format.automatic");
            case RAW -> Text.tr("settings.format.raw");
            case MJPEG -> Text.tr("settings.format.mjpeg");
            case H264 -> Text.tr("settings.format.h264");
        };
    }

    /** Light or dark in words. */
    static String appearanceLabel(Settings.Appearance a) {
        return switch (a) {
            case FOLLOW_DESKTOP -> Text.tr("settings.appearance.follow");
            case LIGHT -> Text.tr("settings.appearance.light");
            case DARK -> Text.tr("settings.appearance.dark");
        };
    }

    /** What a consent default does, in words. */
    static String consentLabel(Settings.ConsentDefault c) {
        return switch (c) {
            case ASK -> Text.tr("settings.consent.ask");
            case DENY -> Text.tr("settings.consent.deny");
        };
    }

    /** Shows the settings over the main window, or brings them to the front if they are open already. */
    public static void show(MainViewModel model, Window owner, Executor uiThread) {
        show(model.settings(), Optional.of(model), owner, uiThread);
    }

    /**
     * Shows the settings kept in {@code store}; without a model (the window could not start its services) there is
     * no list of remembered peers to show.
     */
    public static void show(SettingsStore store, Optional<MainViewModel> model, Window owner, Executor uiThread) {
        if (open != null && open.isShowing()) {
            open.getDialogPane().getScene().getWindow().requestFocus();
            return;
        }
        Settings now = store.get();
        ChoiceBox<Fabrics.Choice> fabric = new ChoiceBox<>(FXCollections.observableArrayList(Fabrics.Choice.values()));
        fabric.setId("settings-fabric");
        showAs(fabric, SettingsDialog::fabricLabel);
        fabric.setValue(now.fabric());
        ChoiceBox<FormatPolicy> policy = new ChoiceBox<>(FXCollections.observableArrayList(FormatPolicy.values()));
        policy.setId("settings-format");
        showAs(policy, SettingsDialog::formatLabel);
        policy.setValue(now.formatPolicy());
        ChoiceBox<Settings.ConsentDefault> consent = new ChoiceBox<>(FXCollections.observableArrayList(
                Settings.ConsentDefault.values()));
        consent.setId("settings-consent");
        showAs(consent, SettingsDialog::consentLabel);
        consent.setValue(now.consent());
        ChoiceBox<FrameSeal.Protection> protection = new ChoiceBox<>(FXCollections.observableArrayList(
                FrameSeal.Protection.ENCRYPTED, FrameSeal.Protection.AUTHENTICATED, FrameSeal.Protection.NONE));
        protection.setId("settings-protection");
        showAs(protection, SettingsDialog::describe);
        protection.setValue(now.dataProtection());
        protection.setTooltip(new Tooltip(Text.tr("settings.protection.tooltip")));

        ChoiceBox<Settings.Appearance> appearance = new ChoiceBox<>(FXCollections.observableArrayList(
                Settings.Appearance.values()));
        appearance.setId("settings-appearance");
        showAs(appearance, SettingsDialog::appearanceLabel);
        appearance.setValue(now.appearance());

        ListView<PairedPeer> peers = new ListView<>();
        peers.setId("settings-peers");
        peers.setPrefHeight(140);
        peers.setMinHeight(90); // a few rows, not squashed to one when the dialog settles its size
        peers.setPlaceholder(new Label(Text.tr("settings.peers.none")));
        peers.setCellFactory(v -> org.hopwire.app.ui.Tooltips.whenTruncated(new ListCell<>() {
            @Override
            protected void updateItem(PairedPeer p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : Text.tr("settings.peer", p.name(),
                        p.uuid().toString().substring(0, 8), java.util.Date.from(p.pairedAt()),
                        p.alwaysAllowed().size()));
            }
        }));
        Button forget = new Button(Text.tr("settings.forget"));
        forget.setId("settings-forget");
        forget.disableProperty().bind(peers.getSelectionModel().selectedItemProperty().isNull());
        Runnable reload = () -> CompletableFuture.supplyAsync(() -> {
            try {
                return model.isPresent() ? model.get().hub().peerStore().list() : List.<PairedPeer>of();
            } catch (IOException e) {
                return List.<PairedPeer>of();
            }
        }).thenAccept(list -> uiThread.execute(() -> peers.getItems().setAll(list)));
        forget.setOnAction(e -> {
            PairedPeer p = peers.getSelectionModel().getSelectedItem();
            if (p != null) {
                org.hopwire.app.ui.questions.ConfirmForget.ask(forget.getScene() == null ? null
                        : forget.getScene().getWindow(), p.name(), () -> model.orElseThrow().forget(p.uuid())
                        .whenComplete((v, x) -> reload.run()));
            }
        });
        reload.run();

        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(8);
        grid.addRow(0, label(Text.tr("settings.fabric"), fabric), fabric, hint(Text.tr("settings.fabric.hint")));
        grid.addRow(1, label(Text.tr("settings.format"), policy), policy, hint(Text.tr("settings.format.hint")));
        grid.addRow(2, label(Text.tr("settings.consent"), consent), consent);
        grid.addRow(3, label(Text.tr("settings.protection"), protection), protection);
        Label protectionHint = hint(Text.tr("settings.protection.hint"));
        protectionHint.setId("settings-protection-hint");
        grid.add(protectionHint, 1, 4, 2, 1);
        grid.addRow(5, label(Text.tr("settings.appearance"), appearance), appearance);
        javafx.scene.control.CheckBox previewOnBorrow = new javafx.scene.control.CheckBox(
                Text.tr("settings.preview.on.borrow"));
        previewOnBorrow.setId("settings-preview-on-borrow");
        previewOnBorrow.setSelected(now.previewOnBorrow());
        grid.add(previewOnBorrow, 1, 6, 2, 1);
        HBox.setHgrow(peers, javafx.scene.layout.Priority.ALWAYS);
        VBox content = new VBox(12, grid);
        if (model.isPresent()) {
            content.getChildren().addAll(label(Text.tr("settings.peers"), peers), new HBox(8, peers, forget));
        }
        content.setPadding(new Insets(8));

        ButtonType ok = new ButtonType(Text.tr("settings.ok"), ButtonBar.ButtonData.OK_DONE);
        ButtonType cancel = new ButtonType(Text.tr("dialog.cancel"), ButtonBar.ButtonData.CANCEL_CLOSE);
        Dialog<ButtonType> d = new Dialog<>();
        OwnedDialog.prepare(d, owner);
        d.setTitle(Text.tr("settings.title"));
        d.getDialogPane().setId("settings-dialog");
        d.getDialogPane().setContent(content);
        d.getDialogPane().getButtonTypes().setAll(ok, cancel);
        d.setResultConverter(b -> b);
        d.setOnHidden(e -> {
            open = null;
            if (d.getResult() == ok) {
                store.update(s -> s.withFabric(fabric.getValue()).withFormatPolicy(policy.getValue())
                        .withConsent(consent.getValue()).withDataProtection(protection.getValue())
                        .withAppearance(appearance.getValue()).withPreviewOnBorrow(previewOnBorrow.isSelected()));
            }
        });
        open = d;
        d.show();
    }
}
