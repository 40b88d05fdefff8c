package org.hopwire.app.ui.settings;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
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
    private SettingsDialog() {
    }

    /** What each choice of data protection means, as the person reads it; strongest first. */
    static String describe(FrameSeal.Protection p) {
        return switch (p) {
            case ENCRYPTED -> "Encrypted (recommended)";
            case AUTHENTICATED -> "Authenticated only (pictures readable on the cable)";
            case NONE -> "None (for measurement)";
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
            case AUTO -> "Automatic (USB4 hardware when present)";
            case KERNEL -> "USB4 hardware";
            case EMULATED -> "Emulated (the demo)";
        };
    }

    /** The video format choice in words. */
    static String formatLabel(FormatPolicy policy) {
        return switch (policy) {
            case AUTOMATIC -> "Automatic";
            case RAW -> "Raw";
            case MJPEG -> "MJPEG";
            case H264 -> "H.264";
        };
    }

    public static void show(MainViewModel model, Window owner, Executor uiThread) {
        Settings now = model.settings().get();
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
        consent.setValue(now.consent());
        ChoiceBox<FrameSeal.Protection> protection = new ChoiceBox<>(FXCollections.observableArrayList(
                FrameSeal.Protection.ENCRYPTED, FrameSeal.Protection.AUTHENTICATED, FrameSeal.Protection.NONE));
        protection.setId("settings-protection");
        showAs(protection, SettingsDialog::describe);
        protection.setValue(now.dataProtection());
        protection.setTooltip(new Tooltip("Encrypted: nobody on the cable can read or change the pictures and sound."
                + "\nAuthenticated only: nobody can change them unnoticed, but they cross the cable readable."
                + "\nNone: only damage is caught; for measuring the link's raw rate."));

        ListView<PairedPeer> peers = new ListView<>();
        peers.setId("settings-peers");
        peers.setPrefHeight(140);
        peers.setPlaceholder(new Label("No remembered peer"));
        peers.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(PairedPeer p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : p.name() + " (" + p.uuid().toString().substring(0, 8)
                        + "), paired " + p.pairedAt().toString().substring(0, 10)
                        + (p.alwaysAllowed().isEmpty() ? "" : ", always allowed: " + p.alwaysAllowed().size()));
            }
        });
        Button forget = new Button("Forget");
        forget.setId("settings-forget");
        forget.disableProperty().bind(peers.getSelectionModel().selectedItemProperty().isNull());
        Runnable reload = () -> CompletableFuture.supplyAsync(() -> {
            try {
                return model.hub().peerStore().list();
            } catch (IOException e) {
                return List.<PairedPeer>of();
            }
        }).thenAccept(list -> uiThread.execute(() -> peers.getItems().setAll(list)));
        forget.setOnAction(e -> {
            PairedPeer p = peers.getSelectionModel().getSelectedItem();
            if (p != null) {
                org.hopwire.app.ui.questions.ConfirmForget.ask(forget.getScene() == null ? null
                        : forget.getScene().getWindow(), p.name(), () -> model.forget(p.uuid())
                        .whenComplete((v, x) -> reload.run()));
            }
        });
        reload.run();

        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(8);
        grid.addRow(0, label("_Fabric", fabric), fabric, hint("applies at the next launch"));
        grid.addRow(1, label("_Video format", policy), policy, hint("automatic picks by link speed"));
        grid.addRow(2, label("_When a peer asks", consent), consent);
        grid.addRow(3, label("_Picture protection on the cable", protection), protection);
        Label protectionHint = hint("the stronger of the two hosts' choices applies, from the next connection");
        protectionHint.setId("settings-protection-hint");
        grid.add(protectionHint, 1, 4, 2, 1);
        javafx.scene.control.CheckBox previewOnBorrow = new javafx.scene.control.CheckBox(
                org.hopwire.app.text.Text.tr("settings.preview.on.borrow"));
        previewOnBorrow.setId("settings-preview-on-borrow");
        previewOnBorrow.setSelected(now.previewOnBorrow());
        grid.add(previewOnBorrow, 1, 5, 2, 1);
        VBox content = new VBox(12, grid, label("_Remembered peers", peers), new HBox(8, peers, forget));
        content.setPadding(new Insets(8));

        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle("Hopwire settings");
        d.getDialogPane().setId("settings-dialog");
        d.getDialogPane().setContent(content);
        d.getDialogPane().getButtonTypes().setAll(ButtonType.OK, ButtonType.CANCEL);
        if (owner != null && owner.getScene() != null) {
            d.getDialogPane().getStylesheets().setAll(owner.getScene().getStylesheets());
        }
        d.setOnHidden(e -> {
            if (d.getResult() == ButtonType.OK) {
                model.settings().update(s -> s.withFabric(fabric.getValue()).withFormatPolicy(policy.getValue())
                        .withConsent(consent.getValue()).withDataProtection(protection.getValue())
                        .withPreviewOnBorrow(previewOnBorrow.isSelected()));
            }
        });
        d.show();
    }
}
