package org.hopwire.app.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** The settings in memory, saved to disk on a thread of their own after each change (never on the UI thread). */
public final class SettingsStore implements AutoCloseable {
    private final Path dir;
    private final AtomicReference<Settings> current;
    private final ExecutorService saver = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hopwire-settings");
        t.setDaemon(true);
        return t;
    });
    private final List<Consumer<Settings>> listeners = new CopyOnWriteArrayList<>();
    private volatile String lastError = "";

    public SettingsStore(Path dir) {
        this.dir = dir;
        this.current = new AtomicReference<>(Settings.load(dir));
        // The UUID chosen on first launch is kept from now on.
        saver.execute(this::save);
    }

    public Settings get() {
        return current.get();
    }

    public Path directory() {
        return dir;
    }

    /** Changes the settings; listeners hear of it at once, the file is written soon after. */
    public Settings update(UnaryOperator<Settings> change) {
        Settings now = current.updateAndGet(change);
        listeners.forEach(l -> l.accept(now));
        saver.execute(this::save);
        return now;
    }

    public Runnable onChange(Consumer<Settings> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Why the last save failed, empty when it did not. */
    public String lastError() {
        return lastError;
    }

    private void save() {
        try {
            current.get().save(dir);
            lastError = "";
        } catch (IOException e) {
            lastError = "could not save the settings in " + dir + ": " + e.getMessage();
        }
    }

    /** Writes what is pending and stops. */
    @Override
    public void close() {
        saver.shutdown();
        try {
            saver.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
