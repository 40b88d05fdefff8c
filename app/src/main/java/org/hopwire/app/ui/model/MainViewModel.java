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
import org.hopwire.app.text.Text;
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
                return Optional.of(Text.tr("why.already.here", item.deviceName()));
            }
            return hub.whyNotOffer(target.peer().orElseThrow(), item.deviceId());
        }
        UUID owner = item.owner().orElseThrow();
        if (target.isThisHost()) {
            return hub.whyNotBorrow(owner, item.deviceId());
        }
        if (target.peer().orElseThrow().equals(owner)) {
            return Optional.of(Text.tr("why.same.host", item.deviceName()));
        }
        return Optional.of(Text.tr("why.between.peers"));
    }

    /** What a drop does, in a few words ("Lend Test camera to Demo laptop"). */
    public String describe(DragItem item, DropTarget target) {
        if (target.isThisHost()) {
            return Text.tr("action.borrow", item.deviceName());
        }
        return Text.tr("action.offer", item.deviceName(), peerName(target.peer().orElseThrow()));
    }

    /**
     * Drops {@code item} on {@code target}: lends or borrows it, or, when that cannot work, says why in a notice.
     * Returns the action's outcome (completed exceptionally with the reason when refused).
     */
    public CompletableFuture<?> drop(DragItem item, DropTarget target) {
        Optional<String> why = whyNot(item, target);
        if (why.isPresent()) {
            show(new Notice(Notice.Level.WARNING, target.isThisHost()
                    ? Text.tr("notice.cannot.borrow", item.deviceName(), why.get())
                    : Text.tr("notice.cannot.offer", item.deviceName(), peerName(target.peer().orElseThrow()),
                    why.get())));
            return CompletableFuture.failedFuture(new ActionRefused(why.get()));
        }
        if (target.isThisHost()) {
            UUID owner = item.owner().orElseThrow();
            return borrow(owner, item.deviceId(), Outputs.PREVIEW, capsFor(owner, item.deviceId()));
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

    /** The format a borrow of a peer's device asks for: the person's choice for the device, else the default. */
    private String capsFor(UUID peer, String deviceId) {
        return rememberedFormat(peer, deviceId).orElse(borrowCaps);
    }

    // ---- actions ---------------------------------------------------------------------------------------------------

    public CompletableFuture<?> offer(UUID peer, String deviceId) {
        return reported(hub.offer(peer, deviceId), "notice.could.not.offer", localDeviceName(deviceId), peer);
    }

    public CompletableFuture<?> borrow(UUID peer, String deviceId, Outputs outputs, String preferredCaps) {
        return reported(hub.borrow(peer, deviceId, outputs, preferredCaps), "notice.could.not.borrow",
                peerDeviceName(peer, deviceId), peer);
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
                throw new ActionRefused(Text.tr("why.webcam.by.hand", e.getMessage(), VirtualWebcam.HOW_TO_LOAD));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ActionRefused(Text.tr("why.webcam.interrupted"));
            }
        }).thenCompose(out -> hub.borrow(peer, deviceId, Outputs.PREVIEW.withVirtualWebcam(out.path()),
                capsFor(peer, deviceId))),
                "notice.could.not.webcam", peerDeviceName(peer, deviceId), peer);
    }

    // ---- formats ---------------------------------------------------------------------------------------------------

    /** The ways a peer's device can be asked for over the link, rated ("Choose format…"). */
    public java.util.List<org.hopwire.gst.format.FormatChooser.Option> formatOptions(UUID peer, String deviceId) {
        return hub.formatOptions(peer, deviceId);
    }

    /** The format chosen for a peer's device, as caps text; empty for Automatic. */
    public Optional<String> rememberedFormat(UUID peer, String deviceId) {
        return settings().get().formatFor(peer, deviceId);
    }

    /** Remembers the format for a peer's device (later borrows ask for it); "" goes back to Automatic. */
    public void rememberFormat(UUID peer, String deviceId, String caps) {
        settings().update(s -> s.withDeviceFormat(peer, deviceId, caps));
    }

    /**
     * Changes a borrowed device's format without ending the borrow; completes when the new caps arrive. A failure
     * becomes a notice naming the device, the peer and why (the owner refused and why, or said nothing: too old).
     */
    public CompletableFuture<org.hopwire.engine.session.Borrow> changeFormat(UUID peer, String deviceId,
                                                                            String caps) {
        String device = peerDeviceName(peer, deviceId);
        String peerName = peerName(peer);
        return hub.changeFormat(peer, deviceId, caps).whenComplete((b, e) -> {
            Notice n;
            if (e == null) {
                n = new Notice(Notice.Level.INFO, Text.tr("notice.format.changed", device, peerName,
                        FormatWords.ofCaps(b.caps())));
            } else {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                String why;
                if (cause instanceof ConsentDeniedException denied) {
                    why = denied.ownerError().map(err -> Text.tr(switch (err) {
                        case FORMAT_NOT_POSSIBLE -> "why.format.owner.cannot";
                        case DEVICE_BUSY -> "why.format.owner.busy";
                        case DEVICE_GONE -> "why.owner.gone";
                        default -> "why.format.owner.refused";
                    }, device, peerName)).orElse(Text.tr("why.format.owner.refused", device, peerName));
                } else if (cause instanceof ActionRefused) {
                    why = cause.getMessage();
                } else {
                    why = Text.tr("why.not.connected", peerName);
                }
                n = new Notice(Notice.Level.WARNING, Text.tr("notice.could.not.change.format", device, peerName,
                        why));
            }
            uiThread.execute(() -> show(n));
        });
    }

    /**
     * Borrows a microphone into a virtual microphone other programs can record from, named after the device and the
     * peer; not to the speakers (a meeting app would hear it twice). Without a sound server the notice says how to
     * start one.
     */
    public CompletableFuture<?> borrowAsVirtualMicrophone(UUID peer, String deviceId) {
        String device = peerDeviceName(peer, deviceId);
        Outputs mic = new Outputs(false, java.util.Optional.empty(), java.util.Optional.empty(), false, false)
                .withVirtualMicrophone(Text.tr("virtual.mic.name", device, peerName(peer)));
        return reported(hub.borrow(peer, deviceId, mic, borrowCaps), "notice.could.not.borrow", device, peer);
    }

    /** Borrows a camera into a PipeWire camera (the camera portal, OBS) and a preview, named like the microphone. */
    public CompletableFuture<?> borrowAsPipeWireCamera(UUID peer, String deviceId) {
        String device = peerDeviceName(peer, deviceId);
        return reported(hub.borrow(peer, deviceId, Outputs.PREVIEW.withPipeWireCamera(Text.tr("virtual.mic.name",
                device, peerName(peer))), borrowCaps), "notice.could.not.borrow", device, peer);
    }

    public CompletableFuture<?> giveBack(UUID peer, String deviceId) {
        return reported(hub.giveBack(peer, deviceId), "notice.could.not.give.back", peerDeviceName(peer, deviceId),
                peer);
    }

    public CompletableFuture<?> revoke(UUID peer, int channel) {
        String device = snapshot.get().lends().stream().filter(l -> l.peer().equals(peer) && l.channel() == channel)
                .map(Snapshot.Lend::deviceName).findFirst().orElse(Text.tr("device.unknown"));
        return reported(hub.revoke(peer, channel), "notice.could.not.revoke", device, peer);
    }

    public CompletableFuture<?> forget(UUID peer) {
        return reported(hub.forget(peer), "notice.could.not.forget", null, peer);
    }

    public CompletableFuture<?> reconnect(UUID peer) {
        return reported(hub.reconnect(peer), "notice.could.not.pair.again", null, peer);
    }

    private String peerName(UUID peer) {
        return snapshot.get().peer(peer).map(Snapshot.Peer::name).orElse(Text.tr("action.the.peer"));
    }

    private String localDeviceName(String deviceId) {
        return snapshot.get().device(deviceId).map(Snapshot.Device::name).orElse(deviceId);
    }

    /** A peer's device by the name the peer gives it (offered now, or borrowed). */
    private String peerDeviceName(UUID peer, String deviceId) {
        Snapshot s = snapshot.get();
        return s.peer(peer).flatMap(p -> p.device(deviceId)).map(Snapshot.Device::name)
                .or(() -> s.borrows().stream().filter(b -> b.peer().equals(peer) && b.deviceId().equals(deviceId))
                        .map(Snapshot.Borrowed::deviceName).findFirst())
                .orElse(deviceId);
    }

    /**
     * Failures become notices that name the device and the peer: a person always hears why. A refused borrow says
     * the owner's reason in this app's words (the owner's own sentence names hosts as the owner sees them).
     *
     * @param key    the notice's pattern: {0} the device (absent for forget and pair again), {1} the peer, {2} why
     * @param device the device's name, or null when the action is about the peer alone
     */
    private <T> CompletableFuture<T> reported(CompletableFuture<T> action, String key, String device, UUID peer) {
        String peerName = peerName(peer);
        return action.whenComplete((v, e) -> {
            if (e != null) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                Notice n;
                if (cause instanceof ConsentDeniedException denied) {
                    n = new Notice(Notice.Level.INFO, denied.ownerError().map(err -> Text.tr(
                            "notice.not.lent.because", device, peerName, Text.tr(switch (err) {
                                case DEVICE_GONE -> "why.owner.gone";
                                case FORMAT_NOT_POSSIBLE -> "why.owner.format";
                                default -> "why.owner.busy";
                            }, device))).orElseGet(() -> Text.tr("notice.not.lent", device, peerName)));
                } else {
                    String why = cause instanceof ActionRefused ? cause.getMessage()
                            : cause instanceof org.hopwire.engine.session.SessionException
                            ? Text.tr("why.not.connected", peerName) : String.valueOf(cause.getMessage());
                    n = new Notice(Notice.Level.WARNING, device == null ? Text.tr(key, peerName, why)
                            : Text.tr(key, device, peerName, why));
                }
                uiThread.execute(() -> show(n));
            }
        });
    }

    @Override
    public void close() {
        unsubscribe.run();
    }
}
