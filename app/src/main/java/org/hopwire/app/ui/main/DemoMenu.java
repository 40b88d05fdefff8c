package org.hopwire.app.ui.main;

import java.util.Optional;
import java.util.concurrent.CompletionException;

import javafx.application.Platform;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;

import org.hopwire.app.core.DemoPeer;
import org.hopwire.app.core.Notice;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.session.ConsentDeniedException;
import org.hopwire.engine.session.PeerLink;
import org.hopwire.gst.device.TestDevices;

/**
 * The emulated demo's controls: what the other host's person or its hardware would do. An item that cannot act now
 * (the cable is out, the demo is not paired, it borrows that device already, it has nothing to give back) is shown
 * disabled with the reason in its words, never silently ignored. Its state follows the window's snapshot and the
 * demo's own changes.
 */
public final class DemoMenu {
    private final MainViewModel model;
    private final DemoPeer demo;
    private final Menu menu;
    private final MenuItem askCamera = new MenuItem();
    private final MenuItem askMicrophone = new MenuItem();
    private final MenuItem giveBack = new MenuItem();
    private final MenuItem cable = new MenuItem();
    private final MenuItem pull = new MenuItem();
    private final CheckMenuItem always = new CheckMenuItem(Text.tr("menu.demo.always"));

    /** The Demo menu for the window's menu bar. */
    public static Menu create(MainViewModel model, DemoPeer demo) {
        return new DemoMenu(model, demo).menu;
    }

    private DemoMenu(MainViewModel model, DemoPeer demo) {
        this.model = model;
        this.demo = demo;
        askCamera.setId("demo-ask-camera");
        askCamera.setOnAction(e -> ask(TestDevices.CAMERA_ID));
        askMicrophone.setId("demo-ask-microphone");
        askMicrophone.setOnAction(e -> ask(TestDevices.MICROPHONE_ID));
        giveBack.setId("demo-give-back");
        giveBack.setOnAction(e -> demo.giveBackAll());
        cable.setId("demo-cable");
        cable.setOnAction(e -> {
            if (demo.isPlugged()) {
                demo.unplug();
            } else {
                demo.plug();
            }
            refresh();
        });
        pull.setId("demo-pull-camera");
        pull.setOnAction(e -> {
            TestDevices t = demo.devices().testDevices();
            if (cameraPresent()) {
                t.unplug(TestDevices.CAMERA_ID);
            } else {
                t.plug(TestDevices.CAMERA_ID);
            }
            refresh();
        });
        always.setId("demo-always");
        always.setSelected(demo.allowsAlways());
        always.setOnAction(e -> demo.allowAlways(always.isSelected()));
        menu = new Menu(Text.tr("menu.demo"), null, askCamera, askMicrophone, giveBack, new SeparatorMenuItem(),
                cable, pull, new SeparatorMenuItem(), always);
        menu.setId("menu-demo");
        menu.setOnShowing(e -> refresh());
        model.snapshotProperty().addListener((o, was, now) -> refresh());
        demo.onChange(() -> {
            if (Platform.isFxApplicationThread()) {
                refresh();
            } else {
                Platform.runLater(this::refresh);
            }
        });
        refresh();
    }

    private boolean cameraPresent() {
        return demo.devices().testDevices().present().stream().anyMatch(d -> d.id().equals(TestDevices.CAMERA_ID));
    }

    /** Sets each item's words and whether it can act, from the demo's state now. */
    private void refresh() {
        boolean plugged = demo.isPlugged();
        boolean ready = demo.state() == PeerLink.State.READY;
        Optional<String> cannotAsk = !plugged ? Optional.of(Text.tr("menu.demo.why.unplugged"))
                : !ready ? Optional.of(Text.tr("menu.demo.why.not.paired")) : Optional.empty();
        set(askCamera, "menu.demo.ask.camera", cannotAsk.or(() -> demo.borrows(TestDevices.CAMERA_ID)
                ? Optional.of(Text.tr("menu.demo.why.borrows")) : Optional.empty()));
        set(askMicrophone, "menu.demo.ask.microphone", cannotAsk.or(() -> demo.borrows(TestDevices.MICROPHONE_ID)
                ? Optional.of(Text.tr("menu.demo.why.borrows")) : Optional.empty()));
        set(giveBack, "menu.demo.give.back", cannotAsk.or(() -> demo.borrowing().isEmpty()
                ? Optional.of(Text.tr("menu.demo.why.nothing")) : Optional.empty()));
        cable.setText(Text.tr(plugged ? "menu.demo.unplug" : "menu.demo.plug"));
        pull.setText(Text.tr(cameraPresent() ? "menu.demo.pull.camera" : "menu.demo.plug.camera"));
    }

    private static void set(MenuItem item, String key, Optional<String> why) {
        String text = why.map(w -> Text.tr("menu.demo.item.why", Text.tr(key), w)).orElseGet(() -> Text.tr(key));
        if (!text.equals(item.getText())) {
            item.setText(text);
        }
        item.setDisable(why.isPresent());
    }

    private void ask(String deviceId) {
        String device = model.snapshot().device(deviceId).map(Snapshot.Device::name).orElse(deviceId);
        refresh();
        demo.askFor(deviceId).whenComplete((b, x) -> {
            if (x != null) {
                boolean inUse = demo.borrowing().stream().anyMatch(d -> d.deviceId().equals(deviceId));
                model.tell(new Notice(Notice.Level.INFO, Text.tr("notice.demo.request.failed",
                        words(x, device, inUse))));
            }
        });
    }

    /**
     * Why the demo's request failed, in the words this host's person reads: the demo's session names this host by
     * its machine name, the window calls it "This host".
     */
    static String words(Throwable x, String device, boolean inUseByDemo) {
        Throwable t = x instanceof CompletionException && x.getCause() != null ? x.getCause() : x;
        if (t instanceof ConsentDeniedException denied) {
            return denied.ownerError().map(e -> e == ProtocolError.DEVICE_BUSY
                    ? Text.tr(inUseByDemo ? "notice.demo.refused.in.use" : "notice.demo.refused.busy", device)
                    : e == ProtocolError.DEVICE_GONE ? Text.tr("notice.demo.refused.gone", device)
                    : Text.tr("notice.demo.refused.busy", device))
                    .orElseGet(() -> Text.tr("notice.demo.refused", device));
        }
        return Text.tr("notice.demo.not.connected");
    }
}
