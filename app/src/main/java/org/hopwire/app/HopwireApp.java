package org.hopwire.app;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;

import org.hopwire.app.ui.fabric.FabricView;
import org.hopwire.app.ui.fabric.FabricViewModel;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;

/** The Hopwire window: for now, the hosts on the cable and the streams the engine sees. */
public final class HopwireApp extends Application {
    /** One application id everywhere: desktop entry, icon, window class. */
    public static final String APP_ID = "org.hopwire.Hopwire";

    private Fabric fabric;
    private String status;
    private String failure;
    private FabricViewModel model;

    /** Opens the fabric named on the command line, in {@link #init()}, off the UI thread. */
    public HopwireApp() {
    }

    /** Shows a fabric the caller opened (tests, embedding); the app closes it on exit. */
    public HopwireApp(Fabric fabric, String status) {
        this.fabric = fabric;
        this.status = status;
    }

    @Override
    public void init() {
        if (fabric != null) {
            return;
        }
        try {
            LaunchOptions options = LaunchOptions.parse(getParameters().getRaw());
            fabric = Fabrics.open(options.fabric(), LaunchOptions.localHostName());
            status = LaunchOptions.describe(fabric.kind(), options.fabric());
        } catch (FabricException | IllegalArgumentException e) {
            failure = e.getMessage();
        }
    }

    @Override
    public void start(Stage stage) {
        Scene scene;
        if (fabric == null) {
            Label message = new Label("Hopwire could not start its fabric:\n\n" + failure);
            message.setId("failure");
            message.setWrapText(true);
            message.setPadding(new Insets(16));
            scene = new Scene(message, 640, 200);
        } else {
            model = new FabricViewModel(fabric, Platform::runLater);
            scene = new Scene(new FabricView(model, status), 900, 600);
        }
        stage.setTitle("Hopwire");
        stage.setScene(scene);
        stage.show();
    }

    @Override
    public void stop() {
        Fabric f = fabric;
        FabricViewModel m = model;
        // Closing removes the streams it made from ConfigFS: not on the UI thread. The thread is not a daemon,
        // so the JVM waits for it after the window has gone.
        Thread closer = new Thread(() -> {
            if (m != null) {
                m.close();
            }
            if (f != null) {
                f.close();
            }
        }, "hopwire-shutdown");
        closer.start();
    }
}
