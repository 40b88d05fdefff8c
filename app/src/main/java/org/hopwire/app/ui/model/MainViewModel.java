package org.hopwire.app.ui.model;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import org.hopwire.app.core.ActionRefused;
import org.hopwire.app.core.DemoPeer;
import org.hopwire.app.core.Hub;
import org.hopwire.app.core.Notice;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.app.core.SettingsStore;
import org.hopwire.app.core.Snapshot;
import org.hopwire.engine.helper.V4l2LoopbackLoader;
import org.hopwire.engine.session.ConsentDeniedException;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.VirtualWebcam;

/**
 * What the main window shows and does, as a plain object: the latest {@link Snapshot}, the notices, the drag rules
 * and the actions. Its properties change only on {@code uiThread}; tests pass {@code Runnable::run} and need no
 * toolkit. Snapshot updates are coalesced: however often the hub changes, at most one waits on the UI thread.
 */
public final class MainViewModel implements AutoCloseable {
    /** Notices kept for the list; older ones are dropped. */
    static final int NOTICES_KEPT = 100;

    private final Services services;
    private final Hub hub;
    private final Questions questions;
    private final Executor uiThread;
    private final ReadOnlyObjectWrapper<Snapshot> snapshot = new ReadOnlyObjectWrapper<>(this, "snapshot",
            Snapshot.EMPTY);
    private final ObservableList<Notice> notices = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<Notice> latestNotice = new ReadOnlyObjectWrapper<>(this, "latestNotice");
    private final AtomicBoolean updatePending = new AtomicBoolean();
    private final Runnable unsubscribe;
    private volatile String borrowCaps = "";
    private volatile long longestApplyNs;

    /** The name this host gives its peers, which the "This host" pane shows beside its title. */
    public String localHostName() {
        return services.hub().identity().hostName();
    }

    public MainViewModel(Services services, Questions questions, Executor uiThread) {
        this.services = Objects.requireNonNull(services, "services");
        this.hub = services.hub();
        this.questions = Objects.requireNonNull(questions, "questions");
        this.uiThread = Objects.requireNonNull(uiThread, "uiThread");
        this.unsubscribe = hub.addListener(new Hub.Listener() {
            @Override
            public void changed() {
                if (updatePending.compareAndSet(false, true)) {
                    uiThread.execute(() -> {
                        updatePending.set(false);
                        long t0 = System.nanoTime();
                        snapshot.set(hub.snapshot());
                        long took = System.nanoTime() - t0;
                        longestApplyNs = Math.max(longestApplyNs, took);
                    });
                }
            }

            @Override
            public void notice(Notice n) {
                uiThread.execute(() -> show(n));
            }
        });
        uiThread.execute(() -> snapshot.set(hub.snapshot()));
    }

    private void show(Notice n) {
        notices.add(0, n);
        if (notices.size() > NOTICES_KEPT) {
            notices.remove(NOTICES_KEPT, notices.size());
        }
        latestNotice.set(n);
    }

    /** The longest time the window took to show one snapshot, in ns (the benchmark watches it). */
    public long longestApplyNs() {
        return longestApplyNs;
    }

    /** Resets {@link #longestApplyNs()}. */
    public void resetApplyTimes() {
        longestApplyNs = 0;
    }

    /** Shows a notice from the window itself (a check that failed before reaching the hub). */
    public void tell(Notice n) {
        uiThread.execute(() -> show(n));
    }

    public ReadOnlyObjectProperty<Snapshot> snapshotProperty() {
        return snapshot.getReadOnlyProperty();
    }

    public Snapshot snapshot() {
        return snapshot.get();
    }

    /** Newest first. */
    public ObservableList<Notice> notices() {
        return notices;
    }

    public ReadOnlyObjectProperty<Notice> latestNoticeProperty() {
        return latestNotice.getReadOnlyProperty();
    }

    public Questions questions() {
        return questions;
    }

    public Hub hub() {
        return hub;
    }

    public SettingsStore settings() {
        return services.settings();
    }

    /** Which fabric runs and why. */
    public String status() {
        return services.status();
    }

    public Optional<DemoPeer> demo() {
        return services.demo();
    }

    // ---- drag and drop ---------------------------------------------------------------------------------------------

    /** Why {@code item} cannot be dropped on {@code target}; empty when it can. Cheap: called while dragging. */
    public Optional<String> whyNot(DragItem item, DropTarget target) {
        if (item.isLocal()) {
            if (target.isThisHost()) {
                return Optional.of(item.deviceName() + " is already on this host: drop it on a peer to lend it");
            }
            return hub.whyNotOffer(target.peer().orElseThrow(), item.deviceId());
        }
        UUID owner = item.owner().orElseThrow();
        if (target.isThisHost()) {
            return hub.whyNotBorrow(owner, item.deviceId());
        }
        if (target.peer().orElseThrow().equals(owner)) {
            return Optional.of(item.deviceName() + " is on that host already: drop it on This host to borrow it");
        }
        return Optional.of("Hopwire brings a peer's device to this host; it does not pass devices between two"
                + " other hosts: drop it on This host");
    }

    /** What a drop does, in a few words ("Lend Test camera to Demo laptop"). */
    public String describe(DragItem item, DropTarget target) {
        if (target.isThisHost()) {
            return "Borrow " + item.deviceName();
        }
        String peer = snapshot.get().peer(target.peer().orElseThrow()).map(Snapshot.Peer::name).orElse("the peer");
        return "Offer " + item.deviceName() + " to " + peer;
    }

    /**
     * Drops {@code item} on {@code target}: lends or borrows it, or, when that cannot work, says why in a notice.
     * Returns the action's outcome (completed exceptionally with the reason when refused).
     */
    public CompletableFuture<?> drop(DragItem item, DropTarget target) {
        Optional<String> why = whyNot(item, target);
        if (why.isPresent()) {
            String action = describe(item, target);
            show(new Notice(Notice.Level.WARNING, "Cannot " + Character.toLowerCase(action.charAt(0))
                    + action.substring(1) + ": " + why.get()));
            return CompletableFuture.failedFuture(new ActionRefused(why.get()));
        }
        if (target.isThisHost()) {
            return borrow(item.owner().orElseThrow(), item.deviceId(), Outputs.PREVIEW, borrowCaps);
        }
        return offer(target.peer().orElseThrow(), item.deviceId());
    }

    /**
     * The format a drop or the Borrow button asks for ("video/x-raw,width=640,height=480"); empty (the default)
     * lets the owner choose its best within the link.
     */
    public void setBorrowCaps(String caps) {
        this.borrowCaps = caps;
    }

    // ---- actions ---------------------------------------------------------------------------------------------------

    public CompletableFuture<?> offer(UUID peer, String deviceId) {
        return reported(hub.offer(peer, deviceId), "Could not offer the device");
    }

    public CompletableFuture<?> borrow(UUID peer, String deviceId, Outputs outputs, String preferredCaps) {
        return reported(hub.borrow(peer, deviceId, outputs, preferredCaps), "Could not borrow the device");
    }

    /**
     * Borrows a camera into the virtual webcam (v4l2loopback) and a preview. Finding the loopback device reads sysfs,
     * so it happens off the UI thread. When v4l2loopback is not loaded, Hopwire's privileged helper loads it (polkit
     * action org.hopwire.Hopwire.load-v4l2loopback asks the person); if that fails the notice says why and how to
     * load it by hand.
     */
    public CompletableFuture<?> borrowAsVirtualWebcam(UUID peer, String deviceId) {
        return reported(CompletableFuture.supplyAsync(() -> {
            VirtualWebcam webcam = new VirtualWebcam();
            try {
                return webcam.find();
            } catch (IllegalStateException e) {
                if (webcam.moduleLoaded()) {
                    throw new ActionRefused(e.getMessage());
                }
            }
            // Not loaded: Hopwire's helper loads it (polkit asks the person), then the device is looked for again.
            try {
                new V4l2LoopbackLoader().load();
                return webcam.find();
            } catch (V4l2LoopbackLoader.LoadFailedException | IllegalStateException e) {
                throw new ActionRefused(e.getMessage() + ". To do it by hand: " + VirtualWebcam.HOW_TO_LOAD);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ActionRefused("interrupted while loading v4l2loopback");
            }
        }).thenCompose(out -> hub.borrow(peer, deviceId, Outputs.PREVIEW.withVirtualWebcam(out.path()), borrowCaps)),
                "Could not publish the camera");
    }

    public CompletableFuture<?> giveBack(UUID peer, String deviceId) {
        return reported(hub.giveBack(peer, deviceId), "Could not give the device back");
    }

    public CompletableFuture<?> revoke(UUID peer, int channel) {
        return reported(hub.revoke(peer, channel), "Could not revoke the lend");
    }

    public CompletableFuture<?> forget(UUID peer) {
        return reported(hub.forget(peer), "Could not forget the peer");
    }

    public CompletableFuture<?> reconnect(UUID peer) {
        return reported(hub.reconnect(peer), "Could not pair again");
    }

    /** Failures become notices: a person always hears why. */
    private <T> CompletableFuture<T> reported(CompletableFuture<T> action, String what) {
        return action.whenComplete((v, e) -> {
            if (e != null) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                Notice.Level level = cause instanceof ConsentDeniedException ? Notice.Level.INFO
                        : Notice.Level.WARNING;
                String text = cause instanceof ConsentDeniedException ? cause.getMessage()
                        : what + ": " + cause.getMessage();
                uiThread.execute(() -> show(new Notice(level, text)));
            }
        });
    }

    @Override
    public void close() {
        unsubscribe.run();
    }
}
