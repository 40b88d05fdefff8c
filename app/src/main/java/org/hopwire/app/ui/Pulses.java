package org.hopwire.app.ui;

import javafx.animation.AnimationTimer;

/** Work put off by a number of JavaFX pulses, on the JavaFX thread. */
public final class Pulses {
    private Pulses() {
    }

    /**
     * Runs {@code action} on the JavaFX thread at the start of the {@code pulses}-th pulse from now (1: the next):
     * after that many layouts and paints of what was changed before it. Call it on the JavaFX thread.
     */
    public static void after(int pulses, Runnable action) {
        new AnimationTimer() {
            private int seen;

            @Override
            public void handle(long now) {
                if (++seen >= pulses) {
                    stop();
                    action.run();
                }
            }
        }.start();
    }
}
