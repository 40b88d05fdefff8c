package org.hopwire.app.ui.fabric;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.Subscription;

/**
 * What the fabric window shows: the hosts on the cable and the streams, kept current from fabric events.
 *
 * <p>The fabric is read on the fabric's own event thread (or the caller's, for the first look), never on the UI
 * thread; the lists change only on {@code uiThread}. Testable without a toolkit by passing {@code Runnable::run}.
 */
public final class FabricViewModel implements AutoCloseable {
    private final Fabric fabric;
    private final Executor uiThread;
    private final ObservableList<HostRow> hosts = FXCollections.observableArrayList();
    private final ObservableList<StreamRow> streams = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper(this, "problem", "");
    private final Subscription subscription;

    public FabricViewModel(Fabric fabric, Executor uiThread) {
        this.fabric = Objects.requireNonNull(fabric, "fabric");
        this.uiThread = Objects.requireNonNull(uiThread, "uiThread");
        this.subscription = fabric.addListener(event -> reload());
        reload();
    }

    /** Looks at the fabric again and publishes what it sees. Call off the UI thread. */
    public void reload() {
        List<HostRow> h;
        List<StreamRow> s;
        String trouble;
        try {
            h = fabric.peers().stream().map(HostRow::of).toList();
            s = fabric.streams().stream().map(StreamRow::of).toList();
            trouble = "";
        } catch (FabricException e) {
            h = List.of();
            s = List.of();
            trouble = e.getMessage();
        }
        List<HostRow> hostRows = h;
        List<StreamRow> streamRows = s;
        String message = trouble;
        uiThread.execute(() -> {
            hosts.setAll(hostRows);
            streams.setAll(streamRows);
            problem.set(message);
        });
    }

    public ObservableList<HostRow> hosts() {
        return hosts;
    }

    public ObservableList<StreamRow> streams() {
        return streams;
    }

    /** What went wrong on the last look, empty when nothing did. */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    @Override
    public void close() {
        subscription.close();
    }
}
