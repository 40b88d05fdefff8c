package org.hopwire.gst.media;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.protocol.ControlMessage.ControlState;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;

/**
 * The control round trip, from the borrower's call ({@link PeerSession#setControl}, what the preview's slider
 * calls) to the owner's confirmation arriving back, with the change applied on the test camera's running capture
 * (raw 640x480 at 30 fps flowing over the same emulated cable), next to the same control stream's heartbeat round
 * trip in the same run. Not a test: run it with
 * {@code mvn -q -pl gst-bridge -am test-compile exec:exec@control-bench [-Dbench.samples=500]}.
 */
public final class ControlBench {
    private ControlBench() {
    }

    public static void main(String[] args) throws Exception {
        int samples = Integer.getInteger("bench.samples", 500);
        PeerSession.Config d = PeerSession.Config.DEFAULT;
        // Heartbeats every 20 ms instead of 500, so the baseline gets as many samples as the controls in one run.
        PeerSession.Config config = new PeerSession.Config(d.protocolMajor(), d.protocolMinor(),
                Duration.ofMillis(20), d.silenceLimit(), d.handshakeTimeout(), d.helloRepeat(), d.goodbyeWait(),
                d.videoQueueFrames(), d.audioQueueFrames(), d.writeBatchBytes(), d.crc(), d.limits(),
                d.protection());
        Path dir = Files.createTempDirectory("control-bench");
        try (MediaPair pair = new MediaPair(dir, Outputs.PREVIEW, new EmulatedTestbed(), config)) {
            pair.ownerApp.consent = SessionHandler.Consent.ALLOW_ALWAYS;
            Transfers.await(() -> pair.borrowerSession.peerCatalog().devices().stream()
                    .anyMatch(x -> !x.controls().isEmpty()), Duration.ofSeconds(10), "catalog with controls");
            Borrow b = pair.borrowerSession.borrow(TestDevices.CAMERA_ID,
                    "video/x-raw,width=640,height=480,framerate=30/1").get(15, TimeUnit.SECONDS);
            Transfers.await(() -> pair.borrowerSession.borrowedControlAccess(b.channel()) != null,
                    Duration.ofSeconds(5), "control access");

            long[] heartbeat = new long[samples * 4];
            int[] beats = {0};
            Thread sampler = new Thread(() -> {
                long last = -1;
                while (!Thread.currentThread().isInterrupted() && beats[0] < heartbeat.length) {
                    long rt = pair.borrowerSession.roundTrip().map(Duration::toNanos).orElse(-1L);
                    if (rt > 0 && rt != last) {
                        heartbeat[beats[0]++] = rt;
                        last = rt;
                    }
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heartbeat-sampler");
            sampler.setDaemon(true);
            sampler.start();

            // Warm up: the first changes load classes and JIT the path.
            for (int i = 0; i < 50; i++) {
                pair.borrowerSession.setControl(b.channel(), "brightness", i % 2 == 0 ? 20 : -20).get(5,
                        TimeUnit.SECONDS);
                Thread.sleep(25);
            }
            long[] single = new long[samples];
            for (int i = 0; i < samples; i++) {
                long v = i % 2 == 0 ? 30 : -30;
                long t0 = System.nanoTime();
                ControlState st = pair.borrowerSession.setControl(b.channel(), "brightness", v).get(5,
                        TimeUnit.SECONDS);
                single[i] = System.nanoTime() - t0;
                if (st.value() != v || st.status() != ControlState.APPLIED) {
                    throw new AssertionError("not confirmed as set: " + st);
                }
                Thread.sleep(30); // a person's separate changes: past the owner's 20 ms pacing
            }
            long[] dragged = new long[samples];
            for (int i = 0; i < samples; i++) {
                long t0 = System.nanoTime();
                pair.borrowerSession.setControl(b.channel(), "contrast", 50 + i % 100).get(5, TimeUnit.SECONDS);
                dragged[i] = System.nanoTime() - t0;
            }
            // The device's share: the balance element's property set alone, on the owner's running capture.
            var capture = pair.owner.lender().capture(b.channel()).orElseThrow();
            org.hopwire.engine.protocol.ControlMessage.Control hue = org.hopwire.gst.device.Balance.control("hue")
                    .orElseThrow();
            long[] apply = new long[samples];
            for (int i = 0; i < samples; i++) {
                long t0 = System.nanoTime();
                capture.applyControl(hue, i % 2 == 0 ? 10 : -10);
                apply[i] = System.nanoTime() - t0;
                Thread.sleep(5);
            }
            sampler.interrupt();
            sampler.join();
            long[] hb = Arrays.copyOf(heartbeat, beats[0]);
            double base = percentile(hb, 0.5);
            System.out.printf(Locale.ROOT, "%nControl round trip vs heartbeat round trip, one session, raw 640x480@30"
                    + " flowing, emulated cable%n");
            System.out.printf(Locale.ROOT, "%-52s %7s %9s %9s %9s%n", "case", "samples", "p50 ms", "p99 ms",
                    "p50/hb");
            row("heartbeat round trip (baseline)", hb, base);
            row("control: separate changes (30 ms apart)", single, base);
            row("control: back to back (a dragged slider)", dragged, base);
            row("owner only: videobalance property set", apply, base);
            System.out.printf(Locale.ROOT, "owner coalesced %d changes%n", pair.ownerSession.controlChangesCoalesced());
        }
        System.exit(0);
    }

    private static void row(String name, long[] ns, double baseNs) {
        double p50 = percentile(ns, 0.5);
        System.out.printf(Locale.ROOT, "%-52s %7d %9.3f %9.3f %9.2f%n", name, ns.length, p50 / 1e6,
                percentile(ns, 0.99) / 1e6, p50 / baseNs);
    }

    private static double percentile(long[] ns, double q) {
        if (ns.length == 0) {
            return Double.NaN;
        }
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)];
    }
}
