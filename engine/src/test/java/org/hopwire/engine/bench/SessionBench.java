package org.hopwire.engine.bench;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.StreamSpec;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.pairing.PairedStreams;
import org.hopwire.engine.pairing.StreamPairing;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlCodec;
import org.hopwire.engine.protocol.ControlSeal;
import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.protocol.WireWriter;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.PeerInfo;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.engine.trust.PeerStore;

/**
 * A session against raw bytes through the same emulated channel, side by side in one run: payload throughput,
 * latency a 200 KB buffer adds, allocation per buffer, and control round trips. Each round runs every case once.
 * Run with {@code mvn -q -pl engine test-compile exec:exec@session-bench}.
 */
public final class SessionBench {
    private static final int IN_FLIGHT = Integer.getInteger("bench.inflight", 16);

    private SessionBench() {
    }

    /** Two paired sessions on a fresh emulated cable; A lends one device to B. */
    private static final class Rig implements AutoCloseable {
        final EmulatedTestbed bed;
        final PeerSession a;
        final PeerSession b;
        /** B's session, for its frame handler, which exists before the session does. */
        volatile PeerSession rigB;
        final int channel;
        volatile int current;
        final LinkedBlockingQueue<Long> revoked = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
        final java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(IN_FLIGHT);
        volatile boolean timing;
        final AtomicLong received = new AtomicLong();
        final AtomicLong receivedBytes = new AtomicLong();

        Rig(CableProfile profile, Path dir) throws Exception {
            this(profile, dir, PeerSession.Config.DEFAULT.protection());
        }

        Rig(CableProfile profile, Path dir, FrameSeal.Protection protection) throws Exception {
            bed = new EmulatedTestbed(profile);
            PeerHost onA = bed.a().peers().get(0);
            PeerHost onB = bed.b().peers().get(0);
            List<String> names = List.of("hwctl", "hwdata");
            Future<PairedStreams> x = Transfers.inBackground(() -> StreamPairing.pair(bed.a(), onA, names,
                    StreamPairing.Options.DEFAULT));
            Future<PairedStreams> y = Transfers.inBackground(() -> StreamPairing.pair(bed.b(), onB, names,
                    StreamPairing.Options.DEFAULT));
            PairedStreams pa = x.get(10, TimeUnit.SECONDS);
            PairedStreams pb = y.get(10, TimeUnit.SECONDS);
            SessionHandler owner = new SessionHandler() {
                @Override
                public CompletionStage<Boolean> confirmPairing(PeerInfo peer, String code) {
                    return CompletableFuture.completedFuture(true);
                }

                @Override
                public CompletionStage<Consent> askConsent(PeerInfo peer, String deviceId) {
                    return CompletableFuture.completedFuture(Consent.ALLOW_ONCE);
                }

                @Override
                public String prepareLend(String deviceId, String preferredCaps) {
                    return "video/x-raw";
                }
            };
            SessionHandler borrower = new SessionHandler() {
                @Override
                public CompletionStage<Boolean> confirmPairing(PeerInfo peer, String code) {
                    return CompletableFuture.completedFuture(true);
                }

                @Override
                public void onFrame(MediaFrame frame) {
                    received.incrementAndGet();
                    receivedBytes.addAndGet(frame.payload().remaining());
                    rigB.recycle(frame);
                    if (timing) {
                        arrivals.add(System.nanoTime());
                    } else {
                        window.release();
                    }
                }

                @Override
                public void onBorrowEnded(int ch, int reason) {
                    revoked.add(System.nanoTime());
                }
            };
            PeerSession.Config config = PeerSession.Config.DEFAULT.withQueues(IN_FLIGHT * 2, IN_FLIGHT * 2)
                    .withProtection(protection);
            a = start(pa, "alpha", config, new PeerStore(dir.resolve("a")), owner, new ControlMessage.Catalog(List.of(
                    new ControlMessage.Device("cam", ControlMessage.Device.VIDEO, "cam", List.of()))));
            b = start(pb, "beta", config, new PeerStore(dir.resolve("b")), borrower,
                    new ControlMessage.Catalog(List.of()));
            rigB = b;
            Transfers.await(() -> a.state() == PeerSession.State.READY && b.state() == PeerSession.State.READY,
                    Duration.ofSeconds(10), "sessions ready");
            Borrow borrow = b.borrow("cam", "").get(5, TimeUnit.SECONDS);
            channel = borrow.channel();
            current = channel;
        }

        private PeerSession start(PairedStreams p, String name, PeerSession.Config config, PeerStore store,
                                  SessionHandler handler, ControlMessage.Catalog catalog) throws Exception {
            StreamChannel data = p.fabric().open(p.stream("hwdata").address(), Duration.ofSeconds(5));
            StreamChannel control = p.fabric().open(p.stream("hwctl").address(), Duration.ofSeconds(5));
            return PeerSession.start(config, new PeerSession.Identity(p.fabric().localHostUuid(), name, "bench"),
                    new PeerInfo(p.peer().uuid(), p.peer().deviceName(), p.peer().id()), control, data, store, handler,
                    catalog);
        }

        /** Sends {@code count} frames keeping at most {@link #IN_FLIGHT} unreceived; returns payload GB/s. */
        double throughput(int frameBytes, int count) throws InterruptedException {
            ByteBuffer payload = ByteBuffer.allocate(frameBytes);
            long base = received.get();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                window.acquire();
                a.send(new MediaFrame(channel, i, i, -1, -1, FragmentHeader.KEY_FRAME, payload.duplicate()));
            }
            while (received.get() - base < count) {
                Thread.sleep(0, 100_000);
            }
            return (long) frameBytes * count / (double) (System.nanoTime() - start);
        }

        /** One frame at a time: ns from send to arrival. */
        long[] latencies(int frameBytes, int count) throws InterruptedException {
            ByteBuffer payload = ByteBuffer.allocate(frameBytes);
            long[] ns = new long[count];
            arrivals.clear();
            timing = true;
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                a.send(new MediaFrame(channel, i, i, -1, -1, FragmentHeader.KEY_FRAME, payload.duplicate()));
                ns[i] = arrivals.take() - t0;
            }
            timing = false;
            return ns;
        }

        @Override
        public void close() {
            a.close();
            b.close();
            bed.close();
        }
    }

    /** Raw bytes through a stream of the same kind of cable. */
    private static final class Raw implements AutoCloseable {
        final EmulatedTestbed bed;
        final StreamChannel w;
        final StreamChannel r;

        Raw(CableProfile profile) throws Exception {
            bed = new EmulatedTestbed(profile);
            StreamChannel[] c = bed.openPair("raw", org.hopwire.engine.fabric.Usb4Stream.DEFAULT_RING_SIZE);
            w = c[0];
            r = c[1];
        }

        double throughput(int writeBytes, long total) throws Exception {
            Future<Long> done = Transfers.inBackground(() -> {
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                long got = 0;
                while (got < total) {
                    got += r.read(buf.clear());
                }
                return System.nanoTime();
            });
            ByteBuffer src = ByteBuffer.allocate(writeBytes);
            long start = System.nanoTime();
            for (long sent = 0; sent < total; sent += writeBytes) {
                w.writeFully(src.clear());
            }
            return total / (double) (done.get(60, TimeUnit.SECONDS) - start);
        }

        long[] latencies(int bytes, int count) throws Exception {
            long[] ns = new long[count];
            LinkedBlockingQueue<Long> done = new LinkedBlockingQueue<>();
            Future<Void> reader = Transfers.inBackground(() -> {
                ByteBuffer dst = ByteBuffer.allocate(bytes);
                for (int i = 0; i < count; i++) {
                    dst.clear();
                    while (dst.hasRemaining()) {
                        r.read(dst);
                    }
                    done.add(System.nanoTime());
                }
                return null;
            });
            ByteBuffer src = ByteBuffer.allocate(bytes);
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                w.writeFully(src.clear());
                ns[i] = done.take() - t0;
            }
            reader.get(5, TimeUnit.SECONDS);
            return ns;
        }

        @Override
        public void close() {
            bed.close();
        }
    }

    private static double pct(long[] ns, double q) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) (q * s.length))] / 1e3;
    }

    /** Bytes allocated so far by the sessions' own threads (named hopwire-...), not by the bench's producer. */
    private static long allocatedBytes() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("hopwire-0-")) {
                long n = mx.getThreadAllocatedBytes(t.getId());
                if (n > 0) {
                    total += n;
                }
            }
        }
        return total;
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 5);
        Path dir = Files.createTempDirectory("hopwire-session-bench");
        Map<String, List<Double>> results = new LinkedHashMap<>();
        System.out.printf(Locale.ROOT, "Hopwire session bench: %d rounds, %d cores%n", rounds,
                Runtime.getRuntime().availableProcessors());
        for (int round = 0; round < rounds; round++) {
            for (CableProfile profile : List.of(CableProfile.USB4_40G, CableProfile.UNTHROTTLED)) {
                String p = profile == CableProfile.USB4_40G ? "40G" : "unthrottled";
                try (Raw raw = new Raw(profile)) {
                    add(results, p + " raw, 1 MiB writes GB/s", raw.throughput(1 << 20, 1L << 30));
                    add(results, p + " raw, 64 KiB writes GB/s", raw.throughput(64 << 10, 512L << 20));
                    long[] ns = raw.latencies(200_000, 300);
                    add(results, p + " raw 200 KB transfer p50 us", pct(ns, 0.5));
                    add(results, p + " raw 200 KB transfer p99 us", pct(ns, 0.99));
                }
                for (FrameSeal.Protection protection : FrameSeal.Protection.values()) {
                    if (profile == CableProfile.UNTHROTTLED && protection == FrameSeal.Protection.AUTHENTICATED) {
                        continue; // measured on the 40G cable only, to keep a round short
                    }
                    String q = p + " session " + protection.name().toLowerCase(Locale.ROOT);
                    try (Rig rig = new Rig(profile, dir.resolve(p + protection + round), protection)) {
                        add(results, q + ", 1 MiB buffers GB/s", rig.throughput(1 << 20, 1024));
                        add(results, q + ", 64 KiB buffers GB/s", rig.throughput(64 << 10, 8192));
                        long[] ns = rig.latencies(200_000, 300);
                        add(results, q + " 200 KB buffer p50 us", pct(ns, 0.5));
                        add(results, q + " 200 KB buffer p99 us", pct(ns, 0.99));
                        if (profile == CableProfile.UNTHROTTLED && protection != FrameSeal.Protection.AUTHENTICATED) {
                            rig.throughput(64 << 10, 2000); // steady state first
                            long before = allocatedBytes();
                            rig.throughput(64 << 10, 4000);
                            long after = allocatedBytes();
                            add(results, q + " threads' bytes allocated per 64 KiB buffer",
                                    (after - before) / 4000.0);
                        }
                        if (profile == CableProfile.UNTHROTTLED && protection == FrameSeal.Protection.NONE) {
                            // Revoke: from the owner's call to the borrower hearing of it.
                            long[] revoke = new long[50];
                            for (int i = 0; i < revoke.length; i++) {
                                rig.revoked.clear();
                                long t0 = System.nanoTime();
                                rig.a.revoke(rig.current);
                                revoke[i] = rig.revoked.take() - t0;
                                rig.current = rig.b.borrow("cam", "").get(5, TimeUnit.SECONDS).channel();
                            }
                            add(results, "unthrottled revoke to borrower stopped p50 us", pct(revoke, 0.5));
                            add(results, "unthrottled revoke to borrower stopped p99 us", pct(revoke, 0.99));
                        }
                    }
                }
            }
            try (Rig rig = new Rig(CableProfile.USB4_40G, dir.resolve("rtt" + round))) {
                long[] rtt = new long[400];
                rig.b.giveBack(rig.channel);
                for (int i = 0; i < rtt.length; i++) {
                    long t0 = System.nanoTime();
                    Borrow again = rig.b.borrow("cam", "").get(5, TimeUnit.SECONDS);
                    rtt[i] = System.nanoTime() - t0;
                    rig.b.giveBack(again.channel());
                }
                add(results, "40G control borrow round trip p50 us", pct(rtt, 0.5));
                add(results, "40G control borrow round trip p99 us", pct(rtt, 0.99));
            }
            add(results, "control message MAC, seal and check, ns per message", macCostNs());
            System.out.printf(Locale.ROOT, "round %d done%n", round + 1);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-56s %10s %10s %10s%n", "case", "median", "min", "max");
        results.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-56s %10.3f %10.3f %10.3f%n", k, median(v),
                v.stream().mapToDouble(d -> d).min().orElse(0), v.stream().mapToDouble(d -> d).max().orElse(0)));
        System.out.println();
        for (String p : List.of("40G", "unthrottled")) {
            for (FrameSeal.Protection protection : FrameSeal.Protection.values()) {
                String q = p + " session " + protection.name().toLowerCase(Locale.ROOT);
                if (!results.containsKey(q + ", 1 MiB buffers GB/s")) {
                    continue;
                }
                for (String size : List.of("1 MiB", "64 KiB")) {
                    double ratio = median(results.get(q + ", " + size + " buffers GB/s"))
                            / median(results.get(p + " raw, " + size + " writes GB/s"));
                    System.out.printf(Locale.ROOT, "%s: session (%s) / raw with %s: %.3f%n", p,
                            protection.name().toLowerCase(Locale.ROOT), size, ratio);
                }
                for (String pq : List.of("p50", "p99")) {
                    double added = median(results.get(q + " 200 KB buffer " + pq + " us"))
                            - median(results.get(p + " raw 200 KB transfer " + pq + " us"));
                    System.out.printf(Locale.ROOT, "%s: latency a session (%s) adds to a 200 KB buffer, %s: %.1f us%n",
                            p, protection.name().toLowerCase(Locale.ROOT), pq, added);
                }
            }
        }
    }

    /** What sealing and checking one small control message (a BORROW_REQUEST) costs, against encoding it bare. */
    private static double macCostNs() throws Exception {
        byte[] key = new byte[32];
        ControlSeal out = new ControlSeal(key);
        ControlCodec.Decoder in = new ControlCodec.Decoder();
        in.expectSealed(new ControlSeal(key));
        ControlMessage m = new ControlMessage.BorrowRequest(1, "camera-0", "video/x-raw,format=NV12");
        WireWriter w = new WireWriter(256);
        int n = 200_000;
        long sealedNs = 0;
        long bareNs = 0;
        ControlCodec.Decoder plain = new ControlCodec.Decoder();
        for (int round = 0; round < 2; round++) { // the first round warms up
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                w.clear();
                ControlCodec.encode(m, w, out);
                in.feed(w.toBuffer(), x -> { });
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                w.clear();
                ControlCodec.encode(m, w);
                plain.feed(w.toBuffer(), x -> { });
            }
            long t2 = System.nanoTime();
            sealedNs = t1 - t0;
            bareNs = t2 - t1;
        }
        return (sealedNs - bareNs) / (double) n;
    }

    private static void add(Map<String, List<Double>> results, String key, double v) {
        results.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(d -> d).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
