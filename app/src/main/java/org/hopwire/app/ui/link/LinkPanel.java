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
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import org.hopwire.app.core.Hub;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.Ids;
import org.hopwire.app.ui.Pulses;
import org.hopwire.app.ui.TableSizing;
import org.hopwire.app.ui.Tooltips;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.engine.protocol.FrameSeal;

/**
 * The live link panel: per peer, the data stream's bytes per second over the last 60 s (out and in), the round trip,
 * the link speed, what protects the pictures on the cable in this session, and per channel the frame rate, latency
 * p50/p99 and drops. It follows the snapshots, which the hub makes twice a second; the chart's series are updated in
 * place. The chart takes the panel's width and the height left over; numbers follow the default locale.
 */
public final class LinkPanel extends VBox {
    private final Map<UUID, PeerLinkView> views = new LinkedHashMap<>();
    private final Label empty = new Label(Text.tr("link.empty"));
    /** Whether the panel is on the screen; while it is not, the newest snapshot waits here (see setShowing). */
    private boolean showing = true;
    private Snapshot pending;

    public LinkPanel(MainViewModel model) {
        setId("link-panel");
        setSpacing(8);
        setPadding(new Insets(8));
        empty.getStyleClass().add("hint");
        empty.setWrapText(true);
        getChildren().add(empty);
        model.snapshotProperty().addListener((o, was, now) -> update(now));
        update(model.snapshot());
    }

    /**
     * Whether the panel is on the screen (its tab selected). A hidden panel is still laid out by its tab pane, so
     * while hidden it only keeps the newest snapshot and shows it when it comes back: its chart and table cost the
     * UI thread nothing while a person watches a preview (the first borrow's new channel row was a layout pass of
     * 66 ms or more there). The snapshots carry the last minute of rates, so nothing is lost meanwhile.
     */
    public void setShowing(boolean showing) {
        this.showing = showing;
        if (showing && pending != null) {
            Snapshot s = pending;
            pending = null;
            update(s);
        }
    }

    private void update(Snapshot s) {
        if (!showing) {
            pending = s;
            return;
        }
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
            getChildren().forEach(n -> VBox.setVgrow(n, Priority.ALWAYS));
        }
    }

    /**
     * A channel table like a link's, with one made-up row, for the window to draw once where nobody sees it: the
     * first real row (at the first borrow) then finds the table's row, cell and tooltip code warm.
     */
    public static javafx.scene.Node warmUpTable() {
        TableView<ChannelRow> table = new TableView<>();
        PeerLinkView.setUp(table);
        table.getItems().add(new ChannelRow(new Snapshot.ChannelRate("warm-up", false, 1.5e6, 30, 0, 1500, 2500)));
        return table;
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
            this(r, Locale.getDefault());
        }

        ChannelRow(Snapshot.ChannelRate r, Locale locale) {
            device = r.device();
            direction = Text.tr(locale, r.outgoing() ? "link.direction.out" : "link.direction.in");
            rate = megabytes(r.bytesPerSecond(), locale);
            fps = Text.tr(locale, "link.fps", r.framesPerSecond());
            latency = Text.tr(locale, "link.latency.pair", micros(r.latencyP50Us(), locale),
                    micros(r.latencyP99Us(), locale));
            drops = Text.tr(locale, "link.count", r.drops());
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

    static String megabytes(double bytesPerSecond, Locale locale) {
        return Text.tr(locale, "link.megabytes", bytesPerSecond / 1e6);
    }

    /** What protects the data stream in a session, for people: the pictures on the cable. */
    static String protection(FrameSeal.Protection p, Locale locale) {
        return switch (p) {
            case ENCRYPTED -> Text.tr(locale, "link.protection.encrypted");
            case AUTHENTICATED -> Text.tr(locale, "link.protection.authenticated");
            case NONE -> Text.tr(locale, "link.protection.none");
        };
    }

    static String micros(long us, Locale locale) {
        if (us <= 0) {
            return Text.tr(locale, "link.none");
        }
        return us < 1000 ? Text.tr(locale, "link.microseconds", us) : Text.tr(locale, "link.milliseconds", us / 1000.0);
    }

    /**
     * The A/V offset of each capture card borrowed, for people: how far apart its pictures and sound leave this host
     * ("Test capture card: pictures 0.4 ms after the sound, 95% of ticks within 1.2 ms"); empty when none is borrowed.
     */
    static String avOffsets(List<Snapshot.AvOffset> offsets, Locale locale) {
        List<String> lines = new ArrayList<>();
        for (Snapshot.AvOffset o : offsets) {
            if (o.ticks() == 0) {
                lines.add(Text.tr(locale, "link.av.measuring", o.device()));
                continue;
            }
            double ms = o.medianMs();
            String key = Math.abs(ms) < 0.05 ? "link.av.together" : ms > 0 ? "link.av.pictures.later"
                    : "link.av.sound.later";
            lines.add(Text.tr(locale, key, o.device(), Math.abs(ms), o.p95Ms(), o.ticks()));
        }
        return String.join("\n", lines);
    }

    /** The line under a link's title: speed, protection, the latest rates and the round trip. */
    static String figures(Snapshot.Peer p, Locale locale) {
        Snapshot.Link l = p.link();
        double lastOut = l.sentBytesPerSecond().isEmpty() ? 0
                : l.sentBytesPerSecond().get(l.sentBytesPerSecond().size() - 1);
        double lastIn = l.receivedBytesPerSecond().isEmpty() ? 0
                : l.receivedBytesPerSecond().get(l.receivedBytesPerSecond().size() - 1);
        String speed = p.speedGbps() == 0 ? Text.tr(locale, "link.speed.none")
                : Text.tr(locale, "link.speed", p.lanes(), p.speedGbps());
        String protection = l.protection().map(x -> Text.tr(locale, "link.figures.protection",
                protection(x, locale))).orElse("");
        return Text.tr(locale, "link.figures", speed, protection, megabytes(lastOut, locale),
                megabytes(lastIn, locale), micros(l.roundTripUs(), locale));
    }

    /** One peer's chart, figures and channel table. */
    static final class PeerLinkView extends VBox {
        /** The chart's floor: its plot, axes and legend still read at this height. */
        static final double CHART_MIN_HEIGHT = 90;
        /** The channel table's floor: its header and two rows. */
        static final double TABLE_MIN_HEIGHT = 76;
        private final Label title = Tooltips.whenTruncated(new Label());
        private final Label figures = Tooltips.whenTruncated(new Label());
        /** A capture card's A/V offset, one line per card borrowed; hidden when none is. */
        private final Label avOffset = Tooltips.whenTruncated(new Label());
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
            // Each tick says what it is ("-30 s", "now"): no axis title under them, a line the plot keeps.
            x.setTickLabelFormatter(new NumberAxis.DefaultFormatter(x) {
                @Override
                public String toString(Number n) {
                    return n.doubleValue() == 0 ? Text.tr("link.chart.now") : Text.tr("link.chart.ago", n);
                }
            });
            NumberAxis y = new NumberAxis();
            y.setLabel(Text.tr("link.chart.rate"));
            y.setForceZeroInRange(true);
            y.setTickLabelFormatter(new NumberAxis.DefaultFormatter(y) {
                @Override
                public String toString(Number n) {
                    return Text.tr("link.chart.tick", n);
                }
            });
            LineChart<Number, Number> chart = new LineChart<>(x, y);
            chart.setId("throughput-chart");
            chart.getStyleClass().add("link-chart");
            chart.setAnimated(false);
            chart.setCreateSymbols(false);
            chart.setLegendVisible(true);
            // Beside the plot, not under it: a short panel would squeeze a legend below the axis out of sight.
            chart.setLegendSide(javafx.geometry.Side.RIGHT);
            // Grows with the window: no preferred size holds it back, only a floor below which it says nothing.
            // The floor is low enough that at the window's first size, a notice showing too, the channel table's
            // first rows stay on the screen under it (at 160 they were cut off below the tab, out of reach).
            chart.setMinSize(320, CHART_MIN_HEIGHT);
            chart.setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
            out.setName(Text.tr("link.chart.out"));
            in.setName(Text.tr("link.chart.in"));
            chart.getData().add(out);
            chart.getData().add(in);
            table.setId("channel-table");
            table.setItems(rows);
            setUp(table);
            VBox.setVgrow(chart, Priority.ALWAYS);
            avOffset.setId("link-av-offset");
            avOffset.setManaged(false);
            avOffset.setVisible(false);
            getChildren().addAll(title, figures, avOffset, chart, table);
            makeCellsBeforeTheFirstRow();
        }

        /**
         * Lays the table out with one made-up row for a few pulses, unseen (transparent), then empties it: the table
         * keeps the row and cells it made for it. Without this its first real row, at the first borrow, made them
         * in the same pulse as the preview's tile (about 100 ms of cell skins on a cold JavaFX thread, issue 14).
         * A real row that comes meanwhile replaces the made-up one.
         */
        private void makeCellsBeforeTheFirstRow() {
            ChannelRow madeUp = new ChannelRow(new Snapshot.ChannelRate("", false, 0, 0, 0, 0, 0));
            rows.add(madeUp);
            table.setOpacity(0);
            Pulses.after(3, () -> {
                rows.remove(madeUp);
                table.setOpacity(1);
            });
        }

        /** The channel table's columns, sizes and words. */
        private static void setUp(TableView<ChannelRow> table) {
            // Its header and two rows at the least; a third when there is room.
            table.setMinHeight(TABLE_MIN_HEIGHT);
            table.setPrefHeight(100);
            table.setPlaceholder(new Label(Text.tr("link.table.empty")));
            table.getColumns().add(column(Text.tr("link.column.device"), ChannelRow::getDevice));
            table.getColumns().add(column(Text.tr("link.column.direction"), ChannelRow::getDirection));
            table.getColumns().add(column(Text.tr("link.column.rate"), ChannelRow::getRate));
            table.getColumns().add(column(Text.tr("link.column.fps"), ChannelRow::getFps));
            table.getColumns().add(column(Text.tr("link.column.latency"), ChannelRow::getLatency));
            table.getColumns().add(column(Text.tr("link.column.drops"), ChannelRow::getDrops));
            TableSizing.fitColumns(table);
        }

        private static TableColumn<ChannelRow, String> column(String title,
                java.util.function.Function<ChannelRow, String> value) {
            TableColumn<ChannelRow, String> c = new TableColumn<>(title);
            // A plain getter, not PropertyValueFactory: no reflection (whose first use, on the first borrow's row,
            // loaded classes on the UI thread).
            c.setCellValueFactory(cell -> new javafx.beans.property.ReadOnlyStringWrapper(value.apply(cell.getValue()))
                    .getReadOnlyProperty());
            c.setCellFactory(Tooltips.truncatedCells());
            c.setSortable(false);
            return c;
        }

        void update(Snapshot.Peer p) {
            Snapshot.Link l = p.link();
            title.setText(Text.tr("link.title", p.name(), p.shortUuid()));
            figures.setText(figures(p, Locale.getDefault()));
            plot(out, l.sentBytesPerSecond());
            plot(in, l.receivedBytesPerSecond());
            List<ChannelRow> now = new ArrayList<>();
            l.channels().forEach(c -> now.add(new ChannelRow(c)));
            rows.setAll(now);
            String av = avOffsets(l.avOffsets(), Locale.getDefault());
            avOffset.setText(av);
            avOffset.setVisible(!av.isEmpty());
            avOffset.setManaged(!av.isEmpty());
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
