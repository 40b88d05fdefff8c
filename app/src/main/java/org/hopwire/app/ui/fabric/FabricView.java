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

/** The fabric window's content: a status line, the hosts on the cable and the streams. */
public final class FabricView extends VBox {
    public FabricView(FabricViewModel model, String status) {
        setSpacing(8);
        setPadding(new Insets(12));

        Label statusLine = new Label(status);
        statusLine.setId("status");
        statusLine.setWrapText(true);
        statusLine.setMinHeight(Region.USE_PREF_SIZE);
        statusLine.setStyle("-fx-font-weight: bold;");

        Label problem = new Label();
        problem.setId("problem");
        problem.setWrapText(true);
        problem.setMinHeight(Region.USE_PREF_SIZE);
        problem.setStyle("-fx-text-fill: #b00020;");
        problem.textProperty().bind(model.problemProperty());
        problem.managedProperty().bind(problem.textProperty().isNotEmpty());

        TableView<HostRow> hosts = new TableView<>(model.hosts());
        hosts.setId("hosts");
        hosts.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        hosts.setPlaceholder(new Label("No host on the cable. Plug in a USB4/Thunderbolt cable to another Linux host."));
        hosts.getColumns().add(column("Host", HostRow::name, 160));
        hosts.getColumns().add(column("Id", HostRow::id, 60));
        hosts.getColumns().add(column("UUID", HostRow::shortUuid, 90));
        hosts.getColumns().add(column("Link", HostRow::link, 110));
        hosts.getColumns().add(column("USB4STREAM", HostRow::streams, 200));

        TableView<StreamRow> streams = new TableView<>(model.streams());
        streams.setId("streams");
        streams.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        streams.setPlaceholder(new Label("No streams configured."));
        streams.getColumns().add(column("Service", StreamRow::service, 70));
        streams.getColumns().add(column("Stream", StreamRow::name, 90));
        streams.getColumns().add(column("Device", StreamRow::device, 130));
        streams.getColumns().add(column("HopIDs in / out", StreamRow::hopIds, 130));
        streams.getColumns().add(column("Ring", r -> Integer.toString(r.ring()), 60));
        streams.getColumns().add(column("State", StreamRow::state, 160));

        VBox.setVgrow(hosts, Priority.ALWAYS);
        VBox.setVgrow(streams, Priority.ALWAYS);
        getChildren().addAll(statusLine, problem, new Label("Hosts on the cable"), hosts, new Label("Streams"),
                streams);
    }

    private static <R> TableColumn<R, String> column(String title, Function<R, String> value, double width) {
        TableColumn<R, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        c.setPrefWidth(width);
        return c;
    }
}
