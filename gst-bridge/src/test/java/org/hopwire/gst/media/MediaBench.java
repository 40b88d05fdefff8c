package org.hopwire.gst.media;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;

/**
 * End to end over the emulated 40 Gb/s cable, one process, both hosts: the test camera captured, sent through a
 * session, played into the preview. Per case: frames per second sustained, drops, latency from capture timestamp
 * to the decoded picture reaching the preview, CPU. Printed side by side. Not a test: run it with
 * {@code mvn -q -pl gst-bridge -am test-compile exec:exec@media-bench [-Dbench.seconds=60]}.
 */
public final class MediaBench {
    /** How long the window's last frames may take to reach the preview after it closes. */
    private static final Duration DRAIN = Duration.ofSeconds(2);

    private record Result(String name, double fps, long frames, long drops, double p50Ms, double p99Ms, double cpu) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 60);
        List<Result> results = new ArrayList<>();
        // -Dbench.cases=1080p60,4K30: only the cases whose name contains one of these (profiling one case).
        List<String> only = List.of(System.getProperty("bench.cases", "").split(",")).stream()
                .filter(c -> !c.isBlank()).toList();
        java.util.function.Predicate<String> wanted = n -> only.isEmpty() || only.stream().anyMatch(n::contains);
        if (wanted.test("Hopwire raw NV12 1080p60")) {
            results.add(run("Hopwire raw NV12 1080p60", "video/x-raw,width=1920,height=1080,framerate=60/1",
                    seconds));
        }
        if (wanted.test("Hopwire MJPEG 1080p30")) {
            results.add(run("Hopwire MJPEG 1080p30", "image/jpeg,width=1920,height=1080,framerate=30/1", seconds));
        }
        if (wanted.test("kernel-doc recipe: bare MJPEG 1080p30")) {
            results.add(runRecipe("kernel-doc recipe: bare MJPEG 1080p30", seconds));
        }
        if (wanted.test("Hopwire raw NV12 4K30 (stretch)")) {
            results.add(run("Hopwire raw NV12 4K30 (stretch)", "video/x-raw,width=3840,height=2160,framerate=30/1",
                    seconds));
        }
        System.out.printf(Locale.ROOT, "%n%d s per case, 2-core machine, emulated cable at the 40 Gb/s preset%n",
                seconds);
        System.out.printf(Locale.ROOT, "%-40s %8s %8s %7s %9s %9s %7s%n", "case", "fps", "frames", "drops",
                "p50 ms", "p99 ms", "cores");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-40s %8.2f %8d %7d %9s %9s %7.2f%n", r.name, r.fps, r.frames, r.drops,
                    Double.isNaN(r.p50Ms) ? "n/a" : String.format(Locale.ROOT, "%.2f", r.p50Ms),
                    Double.isNaN(r.p99Ms) ? "n/a" : String.format(Locale.ROOT, "%.2f", r.p99Ms), r.cpu);
        }
        System.exit(0);
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    private static Result run(String name, String caps, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("hopwire-bench");
        try (MediaPair pair = new MediaPair(dir, Outputs.PREVIEW, new EmulatedTestbed(CableProfile.USB4_40G))) {
            long[] latencies = new long[seconds * 70 + 100];
            AtomicLong n = new AtomicLong();
            AtomicLong base = new AtomicLong();
            FrameWindow window = new FrameWindow();
            pair.borrower.borrower().observeFrames(f -> window.received(f.sequence(), f.pts()));
            pair.borrower.borrower().playbackListener(new Playback.Listener() {
                @Override
                public void onShown(long senderPts, long shownNanos) {
                    window.shown(senderPts);
                    long i = n.getAndIncrement();
                    if (i < latencies.length && base.get() != 0) {
                        latencies[(int) i] = shownNanos - (base.get() + senderPts);
                    }
                }
            });
            Borrow b = pair.borrowerSession.borrow(TestDevices.CAMERA_ID, caps).get(20, TimeUnit.SECONDS);
            Transfers.await(() -> pair.owner.lender().capture(b.channel()).isPresent()
                    && pair.borrower.borrower().playback(b.channel()).isPresent(), Duration.ofSeconds(10), "lend");
            base.set(pair.owner.lender().capture(b.channel()).orElseThrow().baseTimeNs());
            Thread.sleep(3000); // warm up
            n.set(0);
            long ownerDrops0 = pair.ownerSession.sentStats(b.channel()).drops();
            double cpu0 = cpuSeconds();
            long t0 = System.nanoTime();
            window.open();
            Thread.sleep(seconds * 1000L);
            window.close();
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = (cpuSeconds() - cpu0) / wall;
            long ownerDrops = pair.ownerSession.sentStats(b.channel()).drops() - ownerDrops0;
            // The window's last frames may still be on their way to the preview: wait for them (a frame the
            // playback dropped never comes, hence the limit).
            long drainUntil = System.nanoTime() + DRAIN.toNanos();
            while (!window.drained() && System.nanoTime() < drainUntil) {
                Thread.sleep(10);
            }
            long got = window.received();
            long shown = window.shown();
            long[] lat = Arrays.copyOf(latencies, (int) Math.min(n.get(), latencies.length));
            Arrays.sort(lat);
            System.out.printf(Locale.ROOT, "%s: %d frames received, %d shown, %d owner drops, %d sequence gaps%n",
                    name, got, shown, ownerDrops, window.sequenceGaps());
            return new Result(name, shown / wall, got, window.drops(), pct(lat, 0.5), pct(lat, 0.99), cpu);
        }
    }

    private static Result runRecipe(String name, int seconds) throws Exception {
        // The same emulated channel, carrying what `jpegenc ! filesink location=/dev/tbstream0` writes.
        try (EmulatedTestbed bed = new EmulatedTestbed(CableProfile.USB4_40G)) {
            var both = bed.pairOnBoth(List.of("tbstream"));
            var onA = bed.a().open(both[0].stream("tbstream").address(), Duration.ofSeconds(5));
            var onB = bed.b().open(both[1].stream("tbstream").address(), Duration.ofSeconds(5));
            var choice = new org.hopwire.gst.format.FormatChoice(org.hopwire.gst.format.FormatChoice.Encoding.MJPEG,
                    "I420", 1920, 1080, 30, 1, false, 0, 0, "recipe");
            try (var receiver = org.hopwire.gst.interop.BareMjpeg.receive("recipe-in", onB, Outputs.PREVIEW,
                    new Playback.Listener() { });
                 var sender = org.hopwire.gst.interop.BareMjpeg.send("recipe-out",
                         new TestDevices().source(TestDevices.CAMERA_ID), choice, onA)) {
                Thread.sleep(3000);
                long shown0 = receiver.playback().framesShown();
                double cpu0 = cpuSeconds();
                long t0 = System.nanoTime();
                Thread.sleep(seconds * 1000L);
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpu = (cpuSeconds() - cpu0) / wall;
                long shownInWindow = receiver.playback().framesShown() - shown0;
                // A bare stream carries no timestamps to tell the window's images apart, so the losses are counted
                // over the whole run instead: from the first image (nothing in flight before it) to the sender's
                // close, once the receiver has read the end of the stream and shown what it got. Every picture
                // shown was an image sent, so the difference cannot be negative.
                sender.close();
                long drainUntil = System.nanoTime() + DRAIN.toNanos();
                while (!receiver.ended() && System.nanoTime() < drainUntil) {
                    Thread.sleep(10);
                }
                Thread.sleep(200); // the last images through the decoder
                long sent = sender.imagesSent();
                long lost = sent - receiver.playback().framesShown();
                System.out.printf(Locale.ROOT, "%s: %d images sent in the run, %d not shown, %d dropped at the"
                        + " sender%n", name, sent, lost, sender.imagesDropped());
                return new Result(name, shownInWindow / wall, shownInWindow, lost + sender.imagesDropped(),
                        Double.NaN, Double.NaN, cpu);
            }
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1e6;
    }
}
