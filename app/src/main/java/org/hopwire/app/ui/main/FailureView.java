package org.hopwire.app.ui.main;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.MenuBar;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import org.hopwire.app.text.Text;
import org.hopwire.app.ui.Icons;

/**
 * What the window shows when Hopwire could not start (USB4 hardware chosen on a machine without it, GStreamer
 * missing, a bad command line): the menus stay (Settings, Quit, Help), the reason is said plainly, and when the
 * missing piece is the USB4 hardware a button starts the emulated fabric right here, optionally remembered in
 * Settings so the next launch does not stop at the same place.
 */
public final class FailureView {
    /** What the failure screen can do besides explaining. */
    public interface Actions {
        /** Opens Settings; empty when there are no settings to show (the command line was wrong). */
        Optional<Runnable> settings();

        void quit();

        /** Starts the emulated fabric in this window; {@code remember} also makes it Settings' choice. */
        void useEmulated(boolean remember);
    }

    private final BorderPane root = new BorderPane();
    private final Label problem = new Label();
    private final Button useEmulated = new Button(Text.tr("failure.use.emulated"));
    private final CheckBox remember = new CheckBox(Text.tr("failure.remember"));
    private final ProgressIndicator busy = new ProgressIndicator();

    /**
     * @param reason        why Hopwire could not start, in the words of the part that failed
     * @param kernelMissing whether the USB4 hardware (the kernel fabric) is what is missing: then the emulated
     *                      fabric is offered
     * @param fromSettings  whether the kernel fabric was Settings' choice (then remembering the emulated one is
     *                      ticked: otherwise every launch stops here again)
     */
    public FailureView(String reason, boolean kernelMissing, boolean fromSettings, Window owner, Actions actions,
                       Supplier<String> status) {
        Objects.requireNonNull(actions, "actions");
        Label header = new Label(Text.tr(kernelMissing ? "failure.kernel.header" : "failure.header"),
                Icons.icon(Icons.WARNING));
        header.getStyleClass().add("pane-title");
        header.setWrapText(true);
        problem.setId("failure");
        problem.setText(reason);
        problem.setWrapText(true);
        VBox body = new VBox(14, header, problem);
        body.setId("failure-screen");
        body.setPadding(new Insets(32));
        body.setMaxWidth(720);
        body.setAlignment(Pos.TOP_LEFT);
        if (kernelMissing) {
            Label how = new Label(Text.tr("failure.kernel.emulated"));
            how.setId("failure-how");
            how.setWrapText(true);
            useEmulated.setId("use-emulated");
            useEmulated.setDefaultButton(true);
            remember.setId("remember-emulated");
            remember.setSelected(fromSettings);
            busy.setVisible(false);
            busy.setPrefSize(22, 22);
            useEmulated.setOnAction(e -> {
                useEmulated.setDisable(true);
                remember.setDisable(true);
                busy.setVisible(true);
                actions.useEmulated(remember.isSelected());
            });
            HBox buttons = new HBox(12, useEmulated, remember, busy);
            buttons.setAlignment(Pos.CENTER_LEFT);
            body.getChildren().addAll(how, buttons);
        }
        MenuBar menus = new MenuBar(MainWindow.appMenu(actions.settings().orElse(null), actions::quit),
                MainWindow.helpMenu(owner, status));
        root.setTop(menus);
        BorderPane.setAlignment(body, Pos.TOP_CENTER);
        root.setCenter(body);
    }

    public Parent root() {
        return root;
    }

    /** The emulated fabric could not start either: says why and lets the person try again. */
    public void failedAgain(String why) {
        problem.setText(why);
        useEmulated.setDisable(false);
        remember.setDisable(false);
        busy.setVisible(false);
    }

    /** Gives the keyboard focus to the way out (once shown). */
    public void focus() {
        if (!useEmulated.isDisabled() && useEmulated.getScene() != null) {
            useEmulated.requestFocus();
        }
    }
}
