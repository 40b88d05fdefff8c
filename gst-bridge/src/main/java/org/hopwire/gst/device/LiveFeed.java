package org.hopwire.gst.device;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.elements.AppSrc;

/**
 * A test device's live source of prepared pictures (the MJPEG webcam's, the replayed camera's): an appsrc that
 * stamps each picture as it leaves and drops rather than queues, then the test devices' unplug switch. Pacing starts
 * on the capture's first request for data and stops when the pipeline no longer takes pictures (it stopped).
 */
final class LiveFeed {
    /** One thread paces every such device: a tick only hands one prepared picture on, a few microseconds. */
    private static final ScheduledExecutorService PACER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hopwire-test-camera");
        t.setDaemon(true);
        return t;
    });

    /**
     * How a started feed goes on: a picture every {@code periodNs}, each handed on by {@code pushNext}, which says
     * false once the pipeline refused it (flushing or ended).
     */
    record Pacing(long periodNs, BooleanSupplier pushNext) {
    }

    private LiveFeed() {
    }

    /**
     * The source bin; {@code caps} null when {@code start} sets them on the appsrc itself. {@code start} runs once,
     * on the first request for data, on a GStreamer thread.
     */
    static Bin source(String switchName, String caps, Function<AppSrc, Pacing> start) {
        Bin bin = Gst.parseBinFromDescription("appsrc name=feed is-live=true format=time do-timestamp=true "
                + "max-buffers=2 leaky-type=downstream" + (caps == null ? "" : " caps=\"" + caps + "\"")
                + " ! identity name=" + switchName, true);
        AppSrc feed = (AppSrc) bin.getElementByName("feed");
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean stopped = new AtomicBoolean();
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        feed.connect((AppSrc.NEED_DATA) (src, size) -> {
            if (!started.compareAndSet(false, true)) {
                return;
            }
            Pacing pacing = start.apply(feed);
            task.set(PACER.scheduleAtFixedRate(() -> {
                if (!pacing.pushNext().getAsBoolean()) {
                    // The pipeline stopped (flushing) or ended: the device is closed.
                    stopped.set(true);
                    ScheduledFuture<?> t = task.get();
                    if (t != null) {
                        t.cancel(false);
                    }
                }
            }, 0, pacing.periodNs(), TimeUnit.NANOSECONDS));
            if (stopped.get()) {
                task.get().cancel(false); // it stopped before its future was known
            }
        });
        return bin;
    }
}
