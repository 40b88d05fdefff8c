package org.hopwire.app.ui;

import javafx.collections.ListChangeListener;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.text.Font;
import javafx.scene.text.Text;

/**
 * Columns as wide as their widest text (title or value), the last one taking what is left of the table's width.
 * The widths follow the rows as they change, and only grow, so a column does not jump at every snapshot.
 */
public final class TableSizing {
    /** A cell's padding and the header's sort arrow room, in pixels. */
    static final double PADDING = 24;

    private TableSizing() {
    }

    /** Sizes {@code table}'s columns to their content now and whenever its rows change. */
    public static <S> void fitColumns(TableView<S> table) {
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Runnable fit = () -> {
            for (TableColumn<S, ?> c : table.getColumns()) {
                double w = width(c.getText());
                for (S row : table.getItems()) {
                    Object v = c.getCellObservableValue(row) == null ? null : c.getCellObservableValue(row).getValue();
                    w = Math.max(w, width(v == null ? "" : v.toString()));
                }
                if (w > c.getPrefWidth() || c.getProperties().get(TableSizing.class) == null) {
                    c.getProperties().put(TableSizing.class, Boolean.TRUE);
                    c.setPrefWidth(w);
                    c.setMinWidth(Math.min(w, 60));
                }
            }
        };
        table.getItems().addListener((ListChangeListener<S>) change -> fit.run());
        table.itemsProperty().addListener((o, was, now) -> {
            now.addListener((ListChangeListener<S>) change -> fit.run());
            fit.run();
        });
        fit.run();
    }

    private static double width(String s) {
        Text t = new Text(s);
        t.setFont(Font.getDefault());
        return Math.ceil(t.getLayoutBounds().getWidth()) + PADDING;
    }
}
