package org.hopwire.gst.media;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.AvSync;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;
import org.hopwire.gst.playback.PreviewFrame;

/**
 * The A/V offset at the borrower's outputs for a borrowed capture card: the test card flips its picture and starts a
 * beep on every whole second, and the borrower's {@link AvSync} pairs the flip at the preview's sink with the beep's
 * onset at the sound's tap (pictures minus sound). Both hosts in one process on the emulated fabric; after a warm-up
 * of 3 ticks it prints the offset's percentiles over the run. Not a test: run it with
 * {@code mvn -q -pl gst-bridge -am test-compile exec:exec@av-bench [-Dav.bench.seconds=30]}.
 */
public final class AvSyncBench {
    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 30);
        GstRuntime.init();
        Path dir = Files.createTempDirectory("hopwire-av-bench");
        try (MediaPair pair = new MediaPair(dir, Outputs.PREVIEW)) {
            Transfers.await(() -> pair.borrowerSession.peerCatalog().devices().stream()
                    .anyMatch(d -> d.id().equals(TestDevices.CAPTURE_CARD_ID)), java.time.Duration.ofSeconds(10),
                    "the card in the catalog");
            Borrow video = pair.borrowerSession.borrow(TestDevices.CAPTURE_CARD_ID, "").get(15, TimeUnit.SECONDS);
            Transfers.await(() -> pair.borrower.borrower().playback(video.channel()).isPresent(),
                    java.time.Duration.ofSeconds(10), "playback");
            Playback p = pair.borrower.borrower().playback(video.channel()).orElseThrow();
            Thread drain = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    PreviewFrame f = p.preview().take();
                    if (f != null) {
                        f.close(); // as a window shows and frees each picture
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "preview-drain");
            drain.setDaemon(true);
            drain.start();
            AvSync sync = pair.borrower.borrower().avSync(video.channel()).orElseThrow();
            Transfers.await(() -> sync.figures().pairs() >= 3, java.time.Duration.ofSeconds(20), "warm-up");
            System.out.println("warm-up offsets (ms): " + sync.recentMs());
            sync.resetFigures();
            List<Double> all = new ArrayList<>();
            long seen = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                Thread.sleep(500);
                long n = sync.figures().pairs();
                List<Double> recent = sync.recentMs();
                int fresh = (int) Math.min(n - seen, recent.size());
                all.addAll(recent.subList(recent.size() - fresh, recent.size()));
                seen = n;
            }
            drain.interrupt();
            List<Double> sorted = new ArrayList<>(all);
            sorted.sort(Double::compare);
            List<Double> abs = all.stream().map(Math::abs).sorted().toList();
            System.out.printf(Locale.ROOT, "A/V offset at the borrower's outputs (pictures minus sound), %d ticks in"
                    + " %d s, %s, emulated fabric, both hosts in one process:%n", all.size(), seconds,
                    video.caps().split(",")[0] + " " + p.caps().replaceAll(".*width=\\(int\\)(\\d+).*height=\\(int\\)"
                    + "(\\d+).*", "$1x$2"));
            if (sorted.isEmpty()) {
                System.out.println("  no ticks paired");
                return;
            }
            System.out.printf(Locale.ROOT, "  offset p50 %.1f ms, min %.1f ms, max %.1f ms%n", at(sorted, 0.5),
                    sorted.get(0), sorted.get(sorted.size() - 1));
            System.out.printf(Locale.ROOT, "  |offset| p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (goal: within 20 ms)%n",
                    at(abs, 0.5), at(abs, 0.95), at(abs, 0.99));
            System.out.printf(Locale.ROOT, "  mapping anchored %d time(s); latency both halves %d ms, moved later by"
                    + " %.1f ms in %d step(s) for late frames%n", sync.anchors(), AvSync.LATENCY_NS / 1_000_000,
                    sync.shiftedNs() / 1e6, sync.shifts());
        }
    }

    private static double at(List<Double> sorted, double q) {
        return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * q) - 1));
    }
}
