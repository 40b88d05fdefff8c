package org.hopwire.app.ui.fabric;

import java.util.function.Function;

import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import org.hopwire.app.text.Text;
import org.hopwire.app.ui.TableSizing;
import org.hopwire.app.ui.Tooltips;

/** The fabric window's content: a status line, the hosts on the cable and the streams. */
public final class FabricView extends VBox {
    public FabricView(FabricViewModel model, String status) {
        setSpacing(8);
        setPadding(new Insets(12));

        Label statusLine = new Label(status);
        statusLine.setId("status");
        statusLine.setWrapText(true);
        statusLine.setMinHeight(Region.USE_PREF_SIZE);
        statusLine.getStyleClass().add("status-line");

        Label problem = new Label();
        problem.setId("problem");
        problem.setWrapText(true);
        problem.setMinHeight(Region.USE_PREF_SIZE);
        problem.getStyleClass().add("problem");
        problem.textProperty().bind(model.problemProperty());
        problem.managedProperty().bind(problem.textProperty().isNotEmpty());

        TableView<HostRow> hosts = new TableView<>(model.hosts());
        hosts.setId("hosts");
        hosts.setPlaceholder(new Label(Text.tr("fabric.hosts.empty")));
        hosts.getColumns().add(column(Text.tr("fabric.column.host"), HostRow::name));
        hosts.getColumns().add(column(Text.tr("fabric.column.id"), HostRow::id));
        hosts.getColumns().add(column(Text.tr("fabric.column.uuid"), HostRow::shortUuid));
        hosts.getColumns().add(column(Text.tr("fabric.column.link"), HostRow::link));
        hosts.getColumns().add(column(Text.tr("fabric.column.service"), HostRow::streams));
        TableSizing.fitColumns(hosts);

        TableView<StreamRow> streams = new TableView<>(model.streams());
        streams.setId("streams");
        streams.setPlaceholder(new Label(Text.tr("fabric.streams.empty")));
        streams.getColumns().add(column(Text.tr("fabric.column.group"), StreamRow::service));
        streams.getColumns().add(column(Text.tr("fabric.column.stream"), StreamRow::name));
        streams.getColumns().add(column(Text.tr("fabric.column.device"), StreamRow::device));
        streams.getColumns().add(column(Text.tr("fabric.column.hopids"), StreamRow::hopIds));
        streams.getColumns().add(column(Text.tr("fabric.column.ring"), r -> Text.tr("link.count", r.ring())));
        streams.getColumns().add(column(Text.tr("fabric.column.state"), StreamRow::state));
        TableSizing.fitColumns(streams);

        VBox.setVgrow(hosts, Priority.ALWAYS);
        VBox.setVgrow(streams, Priority.ALWAYS);
        getChildren().addAll(statusLine, problem, new Label(Text.tr("fabric.hosts")), hosts,
                new Label(Text.tr("fabric.streams")), streams);
    }

    private static <R> TableColumn<R, String> column(String title, Function<R, String> value) {
        TableColumn<R, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        c.setCellFactory(Tooltips.truncatedCells());
        return c;
    }
}
