package org.hopwire.gst.media;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;

/**
 * How long a borrowed camera's pictures stop when its format changes, on the borrower: from the last picture of the
 * old format shown in the preview to the first of the new one. Side by side in one run, interleaved: the live switch
 * ({@code FORMAT_REQUEST}, the borrow goes on) and the baseline a person had before (give the camera back and borrow
 * it again in the new format). Each switch goes between raw and MJPEG at 640x480, 30 fps, over the emulated 40 Gb/s
 * cable. Not a test: run it with
 * {@code mvn -q -pl gst-bridge -am test-compile exec:exec@format-switch-bench [-Dbench.switches=9]}.
 */
public final class FormatSwitchBench {
    private static final String RAW = "video/x-raw,width=640,height=480,framerate=30/1";
    private static final String MJPEG = "image/jpeg,width=640,height=480,framerate=30/1";
    /** Pictures shown between switches, so each starts from a steady stream. */
    private static final Duration SETTLE = Duration.ofMillis(1500);
    private static final Duration WAIT = Duration.ofSeconds(15);

    public static void main(String[] args) throws Exception {
        int switches = Integer.getInteger("bench.switches", 9);
        Path dir = Files.createTempDirectory("hopwire-switch-bench");
        long[] live = new long[switches];
        long[] again = new long[switches];
        try (MediaPair pair = new MediaPair(dir, Outputs.PREVIEW, new EmulatedTestbed(CableProfile.USB4_40G))) {
            // Each picture the preview shows: when, and for which caps version its frame was made.
            Map<Long, Integer> versionOfPts = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<long[]> shown = new ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicInteger newest = new java.util.concurrent.atomic.AtomicInteger();
            pair.borrower.borrower().observeFrames(f -> {
                versionOfPts.put(f.pts(), f.capsVersion());
                newest.accumulateAndGet(f.capsVersion(), Math::max);
            });
            pair.borrower.borrower().playbackListener(new Playback.Listener() {
                @Override
                public void onShown(long senderPts, long shownNanos) {
                    Integer v = versionOfPts.get(senderPts);
                    shown.add(new long[] {shownNanos, v == null ? -1 : v});
                }
            });
            Borrow b = pair.borrowerSession.borrow(TestDevices.CAMERA_ID, RAW).get(20, TimeUnit.SECONDS);
            pair.ownerApp.consent = org.hopwire.engine.session.SessionHandler.Consent.ALLOW_ALWAYS;
            Thread.sleep(3000); // warm up: classes, the first pipelines
            Switcher sw = new Switcher(pair, b, versionOfPts, shown, newest);
            // One of each, not counted: the first MJPEG pipelines load their plugins.
            sw.live(MJPEG);
            sw.again(RAW);
            for (int i = 0; i < switches; i++) {
                // Both paths go both ways: raw to MJPEG and back, in turns, so neither gets the cheaper direction.
                if (i % 2 == 0) {
                    live[i] = sw.live(MJPEG);
                    again[i] = sw.again(RAW);
                } else {
                    again[i] = sw.again(MJPEG);
                    live[i] = sw.live(RAW);
                }
                System.out.printf(Locale.ROOT, "switch %d (%s): live %.1f ms, give back and borrow again %.1f ms%n",
                        i + 1, i % 2 == 0 ? "live raw to MJPEG, again MJPEG to raw"
                                : "again raw to MJPEG, live MJPEG to raw", live[i] / 1e6, again[i] / 1e6);
            }
        }
        System.out.printf(Locale.ROOT, "%n%d switches each between raw and MJPEG 640x480 at 30 fps, interleaved,"
                + " emulated 40 Gb/s cable, 2-core machine%n", switches);
        System.out.printf(Locale.ROOT, "%-32s %9s %9s %9s%n", "path", "p50 ms", "min ms", "max ms");
        print("live (FORMAT_REQUEST)", live);
        print("give back, borrow again", again);
        System.out.printf(Locale.ROOT, "live / baseline at p50: %.2f%n", p50(live) / p50(again));
        System.exit(0);
    }

    /** Switches the borrow one way or the other and times the gap in the preview. */
    private static final class Switcher {
        private final MediaPair pair;
        private Borrow borrow;
        private final Map<Long, Integer> versionOfPts;
        private final ConcurrentLinkedQueue<long[]> shown;
        private final java.util.concurrent.atomic.AtomicInteger newest;

        Switcher(MediaPair pair, Borrow borrow, Map<Long, Integer> versionOfPts, ConcurrentLinkedQueue<long[]> shown,
                 java.util.concurrent.atomic.AtomicInteger newest) {
            this.pair = pair;
            this.borrow = borrow;
            this.versionOfPts = versionOfPts;
            this.shown = shown;
            this.newest = newest;
        }

        /** The live switch: the same borrow asks for {@code caps}. */
        long live(String caps) throws Exception {
            versionOfPts.clear();
            shown.clear();
            newest.set(0);
            Thread.sleep(SETTLE.toMillis());
            int oldVersion = newest.get();
            pair.borrowerSession.requestFormat(borrow.channel(), caps).get(20, TimeUnit.SECONDS);
            Transfers.await(() -> shown.stream().anyMatch(s -> s[1] > oldVersion), WAIT, "a new picture");
            return gap(shown, oldVersion);
        }

        /** The baseline: give it back and borrow it again in {@code caps}. */
        long again(String caps) throws Exception {
            shown.clear();
            Thread.sleep(SETTLE.toMillis());
            pair.borrower.borrower().giveBack(borrow.channel());
            long returned = System.nanoTime();
            borrow = pair.borrowerSession.borrow(TestDevices.CAMERA_ID, caps).get(20, TimeUnit.SECONDS);
            Transfers.await(() -> shown.stream().anyMatch(s -> s[0] > returned), WAIT, "a new picture");
            long lastOld = shown.stream().filter(s -> s[0] <= returned).mapToLong(s -> s[0]).max().orElse(returned);
            long firstNew = shown.stream().filter(s -> s[0] > returned).mapToLong(s -> s[0]).min().orElseThrow();
            return firstNew - lastOld;
        }
    }

    /** From the last picture made for {@code oldVersion} or older to the first made for a newer one. */
    private static long gap(ConcurrentLinkedQueue<long[]> shown, int oldVersion) {
        long firstNew = shown.stream().filter(s -> s[1] > oldVersion).mapToLong(s -> s[0]).min().orElseThrow();
        long lastOld = shown.stream().filter(s -> s[1] >= 0 && s[1] <= oldVersion && s[0] < firstNew)
                .mapToLong(s -> s[0]).max().orElse(firstNew);
        return firstNew - lastOld;
    }

    private static double p50(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    private static void print(String name, long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-32s %9.1f %9.1f %9.1f%n", name, p50(v) / 1e6, s[0] / 1e6,
                s[s.length - 1] / 1e6);
    }
}
