package org.hopwire.app.ui;

import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.beans.value.ChangeListener;
import javafx.stage.Stage;
import javafx.util.Duration;

/**
 * What a window asked for while the window manager maps it. Openbox maps a JavaFX window at its minimum size and, for
 * a window with an owner, at a place of its own (a popped-out preview came up at 200x200 in the screen's corner), so
 * for the first second after it is shown a window is given its size and place again if they were taken away. Never
 * later: a person may be moving or resizing it.
 */
public final class WindowMapping {
    /** How long after showing the window manager's changes are undone. */
    private static final Duration MAPPING = Duration.seconds(1);
    /** A move smaller than this is a window manager making room for its frame, not a different place. */
    private static final double FRAME_SLACK = 40;

    private WindowMapping() {
    }

    /** Keeps the size {@code stage} was shown with through its mapping; call right after {@code show()}. */
    public static void holdSize(Stage stage) {
        hold(stage, false);
    }

    /** Keeps the size and the place {@code stage} was shown with through its mapping; call right after show(). */
    public static void holdSizeAndPlace(Stage stage) {
        hold(stage, true);
    }

    private static void hold(Stage stage, boolean place) {
        double w = stage.getWidth();
        double h = stage.getHeight();
        double x = stage.getX();
        double y = stage.getY();
        long until = System.nanoTime() + (long) (MAPPING.toMillis() * 1_000_000);
        ChangeListener<Number> size = (o, was, is) -> {
            if (System.nanoTime() < until && !stage.isMaximized()
                    && (stage.getWidth() < w - 1 || stage.getHeight() < h - 1)) {
                Platform.runLater(() -> {
                    stage.setWidth(w);
                    stage.setHeight(h);
                });
            }
        };
        ChangeListener<Number> where = (o, was, is) -> {
            if (System.nanoTime() < until && !stage.isMaximized()
                    && (Math.abs(stage.getX() - x) > FRAME_SLACK || Math.abs(stage.getY() - y) > FRAME_SLACK)) {
                Platform.runLater(() -> {
                    stage.setX(x);
                    stage.setY(y);
                });
            }
        };
        stage.widthProperty().addListener(size);
        stage.heightProperty().addListener(size);
        if (place) {
            stage.xProperty().addListener(where);
            stage.yProperty().addListener(where);
        }
        PauseTransition end = new PauseTransition(MAPPING);
        end.setOnFinished(e -> {
            stage.widthProperty().removeListener(size);
            stage.heightProperty().removeListener(size);
            stage.xProperty().removeListener(where);
            stage.yProperty().removeListener(where);
        });
        end.play();
    }
}
