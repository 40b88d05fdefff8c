package org.hopwire.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** A label cut short shows its whole text in a tooltip; one that fits has none. */
class TooltipsTest {
    private static final String LONG = "Demo laptop's Test camera is now in use by This host, borrowed as a webcam";
    private Stage stage;
    private Label label;

    @BeforeEach
    void show() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
        fx(() -> {
            label = Tooltips.whenTruncated(new Label(LONG));
            label.setMaxWidth(120);
            stage.setScene(new Scene(new VBox(label), 1000, 100));
            stage.show();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void close() throws Exception {
        FxToolkit.cleanupStages();
    }

    private static <T> T fx(java.util.concurrent.Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    private void settle() throws Exception {
        fx(() -> {
            label.getParent().layout();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void shouldShowTheWholeTextOfANarrowLabelAndDropTheTooltipWhenItFits() throws Exception {
        settle();
        assertTrue(fx(() -> Tooltips.truncated(label)), "a 120 px label cannot hold the sentence");
        assertEquals(LONG, fx(() -> label.getTooltip().getText()));
        fx(() -> {
            label.setMaxWidth(Double.MAX_VALUE);
            return null;
        });
        settle();
        assertNull(fx(label::getTooltip), "the whole text is on the screen");
        fx(() -> {
            label.setMaxWidth(120);
            label.setText(LONG + ", and recording");
            return null;
        });
        settle();
        assertEquals(LONG + ", and recording", fx(() -> label.getTooltip().getText()), "follows the text");
    }

    @Test
    void shouldLeaveATooltipSetByTheCallerAlone() throws Exception {
        Tooltip own = fx(() -> {
            Tooltip t = new Tooltip("Why Borrow is disabled");
            label.setTooltip(t);
            label.setText(LONG + " (again)");
            return t;
        });
        settle();
        assertSame(own, fx(label::getTooltip));
    }
}
