package org.hopwire.app.ui.main;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import javafx.animation.PauseTransition;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

import org.hopwire.app.core.Notice;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.Icons;

/**
 * Toasts (GNOME HIG): short-lived notices at the window's foot, horizontally centred, in the band the status line
 * shows in (over the status line, never over the menus or a control). The band is as tall as one notice, so one
 * notice coming or going moves nothing else in the window. Up to {@link #SHOWN_AT_MOST} are shown at once, newest
 * last and stacked upwards (the band grows for the second), each with its own time and a close button; more wait in
 * a bounded queue and follow as shown ones go. A long notice is cut to one line, with the whole text in its tooltip
 * and on click. Every notice also stays in the Notices tab, so one dropped from a full queue is never lost.
 */
final class Toasts extends VBox {
    static final int SHOWN_AT_MOST = 3;
    /** Beyond this many waiting, the oldest waiting one is dropped (it stays in the Notices tab). */
    static final int WAITING_AT_MOST = 12;
    /** Long enough to read a notice of about twenty words. */
    static final Duration INFO_SHOWN = Duration.seconds(6);
    /** Warnings and errors say what went wrong and what to do: longer to read. */
    static final Duration WARNING_SHOWN = Duration.seconds(10);
    static final double MAX_WIDTH = 640;
    /** Lines of a notice before it is clicked: one, the band's height. */
    private static final int LINES = 1;

    private final Deque<Notice> waiting = new ArrayDeque<>();

    Toasts() {
        setId("toasts");
        getStyleClass().add("toasts");
        setAlignment(Pos.CENTER);
        setFillWidth(false);
        setSpacing(4);
        // Laid out in the band even when empty (the band keeps its height); seen only with a notice in it.
        visibleProperty().bind(Bindings.isNotEmpty(getChildren()));
    }

    /** Shows {@code n} now, or as soon as one of those shown goes. */
    void show(Notice n) {
        if (getChildren().size() < SHOWN_AT_MOST) {
            getChildren().add(toast(n));
            return;
        }
        waiting.addLast(n);
        while (waiting.size() > WAITING_AT_MOST) {
            waiting.removeFirst();
        }
    }

    /** The notices shown now, oldest first (tests). */
    List<Notice> shown() {
        return getChildren().stream().map(t -> (Notice) t.getUserData()).toList();
    }

    /** How many notices wait for a place (tests). */
    int waiting() {
        return waiting.size();
    }

    private void dismiss(Node toast) {
        if (getChildren().remove(toast) && !waiting.isEmpty()) {
            getChildren().add(toast(waiting.removeFirst()));
        }
    }

    static Duration shownFor(Notice n) {
        return n.level() == Notice.Level.INFO ? INFO_SHOWN : WARNING_SHOWN;
    }

    private Node toast(Notice n) {
        Label text = new Label(n.text(), Icons.icon(iconOf(n.level())));
        text.getStyleClass().add("toast-text");
        text.setWrapText(true);
        text.setTextOverrun(OverrunStyle.ELLIPSIS);
        text.setTooltip(new Tooltip(n.text()));
        text.setMinWidth(0);
        HBox.setHgrow(text, Priority.ALWAYS);
        Button close = new Button(null, Icons.icon(CLOSE));
        close.getStyleClass().add("toast-close");
        close.setAccessibleText(Text.tr("toast.close"));
        close.setTooltip(new Tooltip(Text.tr("toast.close")));
        close.setFocusTraversable(false); // Tab moves between the window's controls, not through passing notices
        close.setMinWidth(Region.USE_PREF_SIZE);
        HBox toast = new HBox(8, text, close);
        toast.setUserData(n);
        toast.getStyleClass().addAll("toast", "toast-" + n.level().name().toLowerCase(java.util.Locale.ROOT));
        toast.setAlignment(Pos.CENTER_LEFT);
        toast.setMaxWidth(MAX_WIDTH);
        // One line until clicked; then all of it, and it stays until closed.
        text.setMaxHeight(cut(text));
        text.fontProperty().addListener((o, was, f) -> {
            if (!toast.getStyleClass().contains("expanded")) {
                text.setMaxHeight(cut(text));
            }
        });
        PauseTransition timer = new PauseTransition(shownFor(n));
        timer.setOnFinished(e -> dismiss(toast));
        toast.setOnMouseClicked(e -> {
            if (!toast.getStyleClass().contains("expanded")) {
                toast.getStyleClass().add("expanded");
                text.setMaxHeight(Double.MAX_VALUE);
                timer.stop();
            }
        });
        // Not taken away while the pointer rests on it (someone reading it).
        toast.hoverProperty().addListener((o, was, hovered) -> {
            if (toast.getStyleClass().contains("expanded")) {
                return;
            }
            if (hovered) {
                timer.pause();
            } else {
                timer.play();
            }
        });
        close.setOnAction(e -> {
            timer.stop();
            dismiss(toast);
        });
        timer.play();
        return toast;
    }

    private static double cut(Label text) {
        return Math.ceil(text.getFont().getSize() * 1.4 * LINES) + 2;
    }

    static final String CLOSE = "mdi2c-close";
    static final String ERROR = "mdi2a-alert-octagon";

    static String iconOf(Notice.Level level) {
        return switch (level) {
            case INFO -> Icons.INFO;
            case WARNING -> Icons.WARNING;
            case ERROR -> ERROR;
        };
    }
}
