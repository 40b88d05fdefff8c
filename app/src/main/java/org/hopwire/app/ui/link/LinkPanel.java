package org.hopwire.app.ui.link;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.cell.PropertyValueFactory;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import org.hopwire.app.core.Hub;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.ui.Ids;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.engine.protocol.FrameSeal;

/**
 * The live link panel: per peer, the data stream's bytes per second over the last 60 s (out and in), the round trip,
 * the link speed, what protects the pictures on the cable in this session, and per channel the frame rate, latency p50/p99 and drops. It follows the snapshots, which the hub
 * makes twice a second; the chart's series are updated in place.
 */
public final class LinkPanel extends VBox {
    private final Map<UUID, PeerLinkView> views = new LinkedHashMap<>();
    private final Label empty = new Label("No live link yet: the figures show here once a peer is paired.");

    public LinkPanel(MainViewModel model) {
        setId("link-panel");
        setSpacing(8);
        setPadding(new Insets(8));
        empty.getStyleClass().add("hint");
        getChildren().add(empty);
        model.snapshotProperty().addListener((o, was, now) -> update(now));
        update(model.snapshot());
    }

    private void update(Snapshot s) {
        boolean changed = false;
        for (Snapshot.Peer p : s.peers()) {
            if (p.state() != PeerState.PAIRED && !views.containsKey(p.uuid())) {
                continue;
            }
            PeerLinkView v = views.get(p.uuid());
            if (v == null) {
                v = new PeerLinkView(p);
                views.put(p.uuid(), v);
                changed = true;
            }
            v.update(p);
        }
        if (changed) {
            getChildren().setAll(views.isEmpty() ? List.of(empty) : List.copyOf(views.values()));
        }
    }

    /** A channel's row in the table. */
    public static final class ChannelRow {
        private final String device;
        private final String direction;
        private final String rate;
        private final String fps;
        private final String latency;
        private final String drops;

        ChannelRow(Snapshot.ChannelRate r) {
            device = r.device();
            direction = r.outgoing() ? "out" : "in";
            rate = megabytes(r.bytesPerSecond());
            fps = String.format(Locale.ROOT, "%.1f", r.framesPerSecond());
            latency = micros(r.latencyP50Us()) + " / " + micros(r.latencyP99Us());
            drops = Long.toString(r.drops());
        }

        public String getDevice() {
            return device;
        }

        public String getDirection() {
            return direction;
        }

        public String getRate() {
            return rate;
        }

        public String getFps() {
            return fps;
        }

        public String getLatency() {
            return latency;
        }

        public String getDrops() {
            return drops;
        }
    }

    static String megabytes(double bytesPerSecond) {
        return String.format(Locale.ROOT, "%.1f MB/s", bytesPerSecond / 1e6);
    }

    /** What protects the data stream in a session, for people: the pictures on the cable. */
    static String protection(FrameSeal.Protection p) {
        return switch (p) {
            case ENCRYPTED -> "encrypted";
            case AUTHENTICATED -> "authenticated, not encrypted";
            case NONE -> "not protected";
        };
    }

    static String micros(long us) {
        return us <= 0 ? "–" : us < 1000 ? us + " µs" : String.format(Locale.ROOT, "%.1f ms", us / 1000.0);
    }

    /** One peer's chart, figures and channel table. */
    static final class PeerLinkView extends VBox {
        private final Label title = new Label();
        private final Label figures = new Label();
        private final XYChart.Series<Number, Number> out = new XYChart.Series<>();
        private final XYChart.Series<Number, Number> in = new XYChart.Series<>();
        private final TableView<ChannelRow> table = new TableView<>();
        private final ObservableList<ChannelRow> rows = FXCollections.observableArrayList();

        PeerLinkView(Snapshot.Peer p) {
            setId(Ids.of("link", p.shortUuid()));
            setSpacing(4);
            title.getStyleClass().add("section-title");
            figures.setId("link-figures");
            NumberAxis x = new NumberAxis(-60, 0, 10);
            x.setLabel("seconds");
            NumberAxis y = new NumberAxis();
            y.setLabel("MB/s");
            y.setForceZeroInRange(true);
            LineChart<Number, Number> chart = new LineChart<>(x, y);
            chart.setId("throughput-chart");
            chart.setAnimated(false);
            chart.setCreateSymbols(false);
            chart.setLegendVisible(true);
            chart.setPrefHeight(170);
            chart.setPrefWidth(460);
            chart.setMinWidth(320);
            chart.setMinHeight(120);
            out.setName("data stream out");
            in.setName("data stream in");
            chart.getData().add(out);
            chart.getData().add(in);
            table.setId("channel-table");
            table.setItems(rows);
            table.setPrefHeight(110);
            table.setPlaceholder(new Label("No device on this link now"));
            table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
            TableColumn<ChannelRow, String> device = column("Device", "device");
            device.setPrefWidth(170);
            table.getColumns().add(device);
            table.getColumns().add(column("Direction", "direction"));
            table.getColumns().add(column("Rate", "rate"));
            table.getColumns().add(column("Frames/s", "fps"));
            table.getColumns().add(column("Latency p50 / p99", "latency"));
            table.getColumns().add(column("Drops", "drops"));
            HBox body = new HBox(8, chart, table);
            HBox.setHgrow(chart, Priority.ALWAYS);
            HBox.setHgrow(table, Priority.ALWAYS);
            getChildren().addAll(title, figures, body);
        }

        private static TableColumn<ChannelRow, String> column(String title, String property) {
            TableColumn<ChannelRow, String> c = new TableColumn<>(title);
            c.setCellValueFactory(new PropertyValueFactory<>(property));
            c.setSortable(false);
            return c;
        }

        void update(Snapshot.Peer p) {
            Snapshot.Link l = p.link();
            title.setText("Link with " + p.name() + " (" + p.shortUuid() + ")");
            double lastOut = l.sentBytesPerSecond().isEmpty() ? 0
                    : l.sentBytesPerSecond().get(l.sentBytesPerSecond().size() - 1);
            double lastIn = l.receivedBytesPerSecond().isEmpty() ? 0
                    : l.receivedBytesPerSecond().get(l.receivedBytesPerSecond().size() - 1);
            figures.setText(String.format(Locale.ROOT, "%s%s · out %s · in %s · round trip %s", p.speedGbps() == 0
                    ? "no link" : p.lanes() + " × " + p.speedGbps() + " Gb/s",
                    l.protection().map(x -> " · " + protection(x)).orElse(""), megabytes(lastOut),
                    megabytes(lastIn), micros(l.roundTripUs())));
            plot(out, l.sentBytesPerSecond());
            plot(in, l.receivedBytesPerSecond());
            List<ChannelRow> now = new ArrayList<>();
            l.channels().forEach(c -> now.add(new ChannelRow(c)));
            rows.setAll(now);
        }

        private static void plot(XYChart.Series<Number, Number> series, List<Double> values) {
            double step = Hub.TICK_MS / 1000.0;
            List<XYChart.Data<Number, Number>> points = new ArrayList<>(values.size());
            for (int i = 0; i < values.size(); i++) {
                points.add(new XYChart.Data<>(-(values.size() - 1 - i) * step, values.get(i) / 1e6));
            }
            series.getData().setAll(points);
        }
    }
}
