package org.hopwire.gst.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.elements.AppSink;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.HeadlessPipeWire;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;

/**
 * How much later the borrowed test microphone's sound reaches a program recording the virtual microphone than it
 * reaches the borrower's own playback (its audio tap, the baseline: what the speakers path gets before the sound
 * card), both from the owner's capture timestamp, in one run of one borrow with both outputs.
 *
 * <p>The sound needs edges to be timed: the borrower pauses the borrow for {@link #GAP} every {@link #PERIOD}
 * (the owner sends nothing meanwhile, so both outputs go silent); the first frame after each resume carries the
 * capture timestamp of the onset. The tap's onset is when its appsink gets the first loud buffer; the virtual
 * source's is when an in-process recorder ({@code pulsesrc device=<source>}, 10 ms pieces as a meeting app reads)
 * gets its first loud buffer. Runs on a private headless PipeWire with pipewire-pulse. Not a test: run it with
 * {@code mvn -q -pl gst-bridge -am test-compile exec:exec@mic-bench [-Dbench.seconds=60]}.
 */
public final class MicLatencyBench {
    private static final Duration GAP = Duration.ofMillis(150);
    private static final Duration PERIOD = Duration.ofMillis(500);
    /** A sample louder than this is the tone (it peaks near 6550); the silence between is exact zeros. */
    private static final int LOUD = 1000;

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 60);
        GstRuntime.init();
        Path dir = Files.createTempDirectory("hopwire-mic-bench");
        try (HeadlessPipeWire pw = HeadlessPipeWire.start();
             MediaPair pair = new MediaPair(dir,
                     new Outputs(false, Optional.empty(), Optional.empty(), false, true)
                             .withVirtualMicrophone("Test microphone on bench"),
                     new EmulatedTestbed(CableProfile.USB4_40G))) {
            ConcurrentLinkedQueue<Long> captures = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Long> tapOnsets = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Long> sourceOnsets = new ConcurrentLinkedQueue<>();
            AtomicLong lastFrame = new AtomicLong();
            AtomicLong base = new AtomicLong();
            pair.borrower.borrower().observeFrames(f -> {
                long now = System.nanoTime();
                if (now - lastFrame.getAndSet(now) > GAP.toNanos() / 2 && base.get() != 0) {
                    captures.add(base.get() + f.pts()); // the first frame after a pause
                }
            });
            Borrow b = pair.borrowerSession.borrow(TestDevices.MICROPHONE_ID, "").get(20, TimeUnit.SECONDS);
            Transfers.await(() -> pair.owner.lender().capture(b.channel()).isPresent()
                    && pair.borrower.borrower().playback(b.channel()).isPresent(), Duration.ofSeconds(10), "lend");
            base.set(pair.owner.lender().capture(b.channel()).orElseThrow().baseTimeNs());
            Playback p = pair.borrower.borrower().playback(b.channel()).orElseThrow();
            int channels = b.caps().contains("channels=(int)2") ? 2 : 1;
            Onsets tap = new Onsets(tapOnsets);
            p.audioTap(buf -> tap.accept(buf, System.nanoTime()));
            String source = p.virtualMicrophone().orElseThrow().sourceName();
            Pipeline recorder = (Pipeline) Gst.parseLaunch("pulsesrc device=" + source + " latency-time=10000 "
                    + "buffer-time=40000 ! audio/x-raw,format=S16LE,rate=48000,channels=" + channels
                    + " ! appsink name=rec sync=false emit-signals=true max-buffers=100 drop=true");
            Onsets rec = new Onsets(sourceOnsets);
            ((AppSink) recorder.getElementByName("rec")).connect((AppSink.NEW_SAMPLE) sink -> {
                long now = System.nanoTime();
                Sample s = sink.pullSample();
                if (s == null) {
                    return FlowReturn.EOS;
                }
                Buffer buffer = s.getBuffer();
                rec.accept(buffer.map(false), now);
                buffer.unmap();
                s.dispose();
                return FlowReturn.OK;
            });
            recorder.play();
            Thread.sleep(2000); // warm up: the recorder connected, both outputs playing
            captures.clear();
            tapOnsets.clear();
            sourceOnsets.clear();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                pair.borrowerSession.pause(b.channel(), true);
                Thread.sleep(GAP.toMillis());
                pair.borrowerSession.pause(b.channel(), false);
                Thread.sleep(PERIOD.toMillis() - GAP.toMillis());
            }
            Thread.sleep(500);
            System.out.printf(Locale.ROOT, "tap buffers %d, frames in %d, caps %s%n", p.audioBuffers(), p.framesIn(),
                    b.caps());
            recorder.stop();
            recorder.dispose();
            System.out.printf(Locale.ROOT, "silent buffers seen: tap %d, virtual source %d%n", tap.quietBuffers.get(),
                    rec.quietBuffers.get());
            report(new ArrayList<>(captures), new ArrayList<>(tapOnsets), new ArrayList<>(sourceOnsets), seconds);
        } finally {
            try (var all = Files.walk(dir)) {
                for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
        System.exit(0);
    }

    /** Finds where the tone starts after silence, per buffer as it arrives. */
    private static final class Onsets {
        private final ConcurrentLinkedQueue<Long> out;
        final AtomicLong quietBuffers = new AtomicLong();
        private boolean silent = true;
        private long lastNanos;

        Onsets(ConcurrentLinkedQueue<Long> out) {
            this.out = out;
        }

        void accept(ByteBuffer b, long arrivedNanos) {
            ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int peak = 0;
            while (le.remaining() >= 2) {
                peak = Math.max(peak, Math.abs(le.getShort()));
            }
            // The tap gets nothing at all while the borrow is paused: a pause in arrivals is silence too.
            if (arrivedNanos - lastNanos > GAP.toNanos() / 2) {
                silent = true;
            }
            lastNanos = arrivedNanos;
            if (silent && peak > LOUD) {
                out.add(arrivedNanos);
                silent = false;
            } else if (!silent && peak < LOUD / 4) {
                silent = true;
                quietBuffers.incrementAndGet();
            }
        }
    }

    private static void report(List<Long> captures, List<Long> tap, List<Long> source, int seconds) {
        List<Long> tapLat = new ArrayList<>();
        List<Long> srcLat = new ArrayList<>();
        List<Long> added = new ArrayList<>();
        for (long c : captures) {
            long t = firstAfter(tap, c);
            long s = firstAfter(source, c);
            // An onset belongs to this capture only if it comes before the next pause could have been heard.
            if (t < 0 || s < 0 || t - c > PERIOD.toNanos() || s - c > PERIOD.toNanos()) {
                continue;
            }
            tapLat.add(t - c);
            srcLat.add(s - c);
            added.add(s - t);
        }
        System.out.printf(Locale.ROOT, "%n%d s, %d onsets matched of %d resumes (tap %d, virtual source %d onsets)%n",
                seconds, added.size(), captures.size(), tap.size(), source.size());
        System.out.printf(Locale.ROOT, "%-46s %9s %9s %9s%n", "owner capture to ...", "p50 ms", "p99 ms", "max ms");
        line("borrower's audio tap (baseline)", tapLat);
        line("virtual microphone, read by pulsesrc", srcLat);
        line("added by the virtual microphone (per onset)", added);
    }

    private static long firstAfter(List<Long> onsets, long t) {
        long best = -1;
        for (long o : onsets) {
            if (o >= t && (best < 0 || o < best)) {
                best = o;
            }
        }
        return best;
    }

    private static void line(String name, List<Long> values) {
        long[] v = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(v);
        System.out.printf(Locale.ROOT, "%-46s %9.2f %9.2f %9.2f%n", name, pct(v, 0.5), pct(v, 0.99),
                v.length == 0 ? Double.NaN : v[v.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1e6;
    }

    private MicLatencyBench() {
    }
}
