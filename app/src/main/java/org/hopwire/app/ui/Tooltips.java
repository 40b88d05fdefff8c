package org.hopwire.app.ui;

import javafx.beans.InvalidationListener;
import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.Tooltip;
import javafx.scene.text.Text;
import javafx.util.Callback;

/**
 * Text cut short on the screen ("Test cam…") gets a tooltip with the whole text, and only then: the tooltip comes
 * and goes as the width or the text changes. The check is what the skin drew against what the control holds.
 */
public final class Tooltips {
    /** Marks a tooltip as this class's, so one set by someone else is never taken away. */
    private static final String OURS = Tooltips.class.getName();

    private Tooltips() {
    }

    /** Shows the whole text in a tooltip whenever {@code labeled} is too narrow for it. Returns {@code labeled}. */
    public static <T extends Labeled> T whenTruncated(T labeled) {
        // Decided when the skin has drawn the text (after layout), never when the text or the width has just changed
        // and the drawn text is still the old one: that would add a tooltip and take it away again at each change
        // (a preview's overlay changes every second, a table cell twice a second), each time a new popup control.
        InvalidationListener check = o -> update(labeled);
        labeled.textProperty().addListener(o -> {
            Tooltip now = labeled.getTooltip();
            if (now != null && now.getProperties().containsKey(OURS) && labeled.getText() != null) {
                now.setText(labeled.getText());
            }
        });
        labeled.skinProperty().addListener((o, was, now) -> {
            labeled.applyCss();
            drawn(labeled).ifPresent(t -> t.textProperty().addListener(check));
            update(labeled);
        });
        return labeled;
    }

    /** A table cell that shows its value as text, with a tooltip when it is cut short. */
    public static <S> Callback<TableColumn<S, String>, TableCell<S, String>> truncatedCells() {
        return column -> whenTruncated(new TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
            }
        });
    }

    /** Whether the text on the screen is not the whole text. */
    public static boolean truncated(Labeled labeled) {
        String full = labeled.getText();
        return full != null && !full.isEmpty() && drawn(labeled).map(t -> !full.equals(t.getText())).orElse(false);
    }

    private static java.util.Optional<Text> drawn(Labeled labeled) {
        for (Node n : labeled.getChildrenUnmodifiable()) {
            if (n instanceof Text t && n != labeled.getGraphic()) { // an icon font's glyph is a Text too
                return java.util.Optional.of(t);
            }
        }
        return java.util.Optional.empty();
    }

    private static void update(Labeled labeled) {
        Tooltip now = labeled.getTooltip();
        boolean ours = now != null && now.getProperties().containsKey(OURS);
        if (now != null && !ours) {
            return;
        }
        if (truncated(labeled)) {
            if (now == null) {
                Tooltip t = new Tooltip();
                t.getProperties().put(OURS, Boolean.TRUE);
                t.setWrapText(true);
                t.setMaxWidth(600);
                labeled.setTooltip(t);
                now = t;
            }
            if (!labeled.getText().equals(now.getText())) {
                now.setText(labeled.getText());
            }
        } else if (ours) {
            labeled.setTooltip(null);
        }
    }
}
