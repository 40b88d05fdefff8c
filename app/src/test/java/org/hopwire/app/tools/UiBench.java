package org.hopwire.app.tools;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javafx.animation.AnimationTimer;

import org.hopwire.app.ui.preview.PreviewView;
import org.hopwire.engine.DemoFabric;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;

/**
 * The UI benchmark (not a test): the real window on a real display (Xvfb), borrowing the demo's test camera at
 * 1080p30 as a person does (Borrow), into the preview the window docks by itself. A pulse timer on the JavaFX thread records the gaps between pulses from before the
 * borrow is asked for until it ends, so pipeline start-up counts too; the preview's pictures shown are counted
 * against the frames the owner sent. Run by {@code scripts/bench-ui}.
 */
public final class UiBench {
    private UiBench() {
    }

    /** Pulse gaps on the JavaFX thread, in ns. */
    static final class PulseTimer extends AnimationTimer {
        final List<Long> gapsNs = Collections.synchronizedList(new ArrayList<>());
        final List<long[]> longGaps = Collections.synchronizedList(new ArrayList<>());
        private long last;
        private long first;

        @Override
        public void handle(long now) {
            if (last != 0) {
                gapsNs.add(now - last);
                if (now - last > 40_000_000L) {
                    longGaps.add(new long[] {(last - first) / 1_000_000, (now - last) / 1_000_000});
                }
            } else {
                first = now;
            }
            last = now;
        }
    }

    /** With -Dbench.sample=true: the JavaFX thread's stack every 2 ms, to see what a long gap was made of. */
    static final class Sampler extends Thread {
        final List<String> samples = Collections.synchronizedList(new ArrayList<>());
        private final Thread fx;
        private volatile boolean running = true;
        private final long t0 = System.nanoTime();

        Sampler(Thread fx) {
            super("ui-bench-sampler");
            this.fx = fx;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                StackTraceElement[] st = fx.getStackTrace();
                StringBuilder b = new StringBuilder();
                b.append((System.nanoTime() - t0) / 1_000_000).append(" ms ").append(fx.getState());
                for (int i = 0; i < Math.min(Integer.getInteger("bench.sample.depth", 6), st.length); i++) {
                    b.append(" <- ").append(st[i].getClassName().replaceAll(".*\\.", "")).append('.')
                            .append(st[i].getMethodName());
                }
                // Which of the app's own code it was under: the innermost frame of ours, and the outermost.
                String inner = null;
                String outer = null;
                for (StackTraceElement e : st) {
                    if (e.getClassName().startsWith("org.hopwire.app.ui")) {
                        String name = e.getClassName().replaceAll(".*\\.", "") + "." + e.getMethodName();
                        inner = inner == null ? name : inner;
                        outer = name;
                    }
                }
                if (inner != null) {
                    b.append("  [in ").append(inner).append(outer.equals(inner) ? "" : " under " + outer).append(']');
                }
                samples.add(b.toString());
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void finish() {
            running = false;
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 20);
        String[][] cases = {
            // The first borrow after launch pays for cold code and the first preview: measured apart.
            {"raw 1080p30, first", "video/x-raw,width=1920,height=1080,framerate=30/1"},
            {"raw 1080p30, again", "video/x-raw,width=1920,height=1080,framerate=30/1"},
            {"MJPEG 1080p30", "image/jpeg,width=1920,height=1080,framerate=30/1"},
        };
        System.out.printf(Locale.ROOT, "Hopwire UI benchmark: %d s per case, emulated demo, docked preview%n", seconds);
        System.out.printf(Locale.ROOT, "%-18s %12s %12s %10s %10s %8s %12s %12s%n", "case", "longest gap", "p99 gap",
                "source fps", "shown fps", "ratio", "idle longest", "update max");
        try (Harness h = new Harness(true)) {
            h.awaitPaired();
            Thread.sleep(2000); // the link panel is built once paired: start the idle window after that
            PulseTimer idle = new PulseTimer();
            Harness.onFx(() -> {
                idle.start();
                return null;
            });
            Thread.sleep(5000);
            Harness.onFx(() -> {
                idle.stop();
                return null;
            });
            for (String[] c : cases) {
                run(h, c[0], c[1], seconds, idle);
            }
        }
    }

    private static void run(Harness h, String name, String caps, int seconds, PulseTimer idle) throws Exception {
        PulseTimer pulses = new PulseTimer();
        Thread fxThread = Harness.onFx(() -> {
            h.app.model().resetApplyTimes();
            pulses.start();
            return Thread.currentThread();
        });
        // -Dbench.sample.thread=QuantumRenderer-0 samples the renderer instead of the JavaFX thread.
        String sampled = System.getProperty("bench.sample.thread", "");
        Thread target = sampled.isEmpty() ? fxThread : Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(sampled)).findFirst().orElseThrow();
        Sampler sampler = Boolean.getBoolean("bench.sample") ? new Sampler(target) : null;
        if (sampler != null) {
            sampler.start();
        }
        var hub = h.services.hub();
        long asked = System.nanoTime();
        // The path a person takes: Borrow (as its button does, through the view model); the window opens the docked
        // preview by itself when the borrow is live.
        Harness.onFx(() -> h.app.model().borrow(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID, Outputs.PREVIEW,
                caps));
        Harness.await("the docked preview", () -> preview(h).isPresent());
        System.out.printf(Locale.ROOT, "    the docked preview opened %d ms after the borrow was asked for, in %.1f ms"
                + " on the JavaFX thread%n", (System.nanoTime() - asked) / 1_000_000,
                Harness.onFx(() -> h.app.window().previews().lastOpenNanos()) / 1e6);
        Harness.await("first picture", () -> preview(h).map(PreviewView::framesShown).orElse(0L) > 0);
        System.out.printf(Locale.ROOT, "    first picture %d ms after the borrow was asked for%n",
                (System.nanoTime() - asked) / 1_000_000);
        if (sampler != null) {
            Thread.sleep(800);
            sampler.finish();
            synchronized (sampler.samples) {
                sampler.samples.forEach(x -> System.out.println("      " + x));
            }
        }
        long shown0 = preview(h).orElseThrow().framesShown();
        long sent0 = sent(h);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long shown1 = preview(h).orElseThrow().framesShown();
        long sent1 = sent(h);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        hub.giveBack(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID).get();
        Harness.await("the preview closed with the borrow", () -> preview(h).isEmpty());
        Thread.sleep(1000);
        Harness.onFx(() -> {
            pulses.stop();
            return null;
        });
        double sourceFps = (sent1 - sent0) / elapsed;
        double shownFps = (shown1 - shown0) / elapsed;
        System.out.printf(Locale.ROOT, "%-18s %9.1f ms %9.1f ms %10.1f %10.1f %8.2f %9.1f ms %9.1f ms%n", name,
                max(pulses.gapsNs) / 1e6, percentile(pulses.gapsNs, 0.99) / 1e6, sourceFps, shownFps,
                sourceFps == 0 ? 0 : shownFps / sourceFps, max(idle.gapsNs) / 1e6,
                h.app.model().longestApplyNs() / 1e6);
        synchronized (pulses.longGaps) {
            StringBuilder b = new StringBuilder("    gaps over 40 ms (ms into the case: length):");
            pulses.longGaps.forEach(g -> b.append(' ').append(g[0]).append(": ").append(g[1]));
            System.out.println(b);
        }
    }

    private static Optional<PreviewView> preview(Harness h) {
        return h.app.window().previews().view(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID);
    }

    /** Frames the demo (the owner) sent: the source's rate as it reaches the link (it lends only this camera). */
    private static long sent(Harness h) {
        return h.services.demo().orElseThrow().sentFrames();
    }

    private static long max(List<Long> v) {
        synchronized (v) {
            return v.stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }

    private static long percentile(List<Long> v, double q) {
        List<Long> sorted;
        synchronized (v) {
            sorted = new ArrayList<>(v);
        }
        if (sorted.isEmpty()) {
            return 0;
        }
        Collections.sort(sorted);
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }

}
