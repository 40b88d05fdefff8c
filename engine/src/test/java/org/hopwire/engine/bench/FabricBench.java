package org.hopwire.engine.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.fabric.Usb4Stream;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.Transfers;

/**
 * Emulated-channel throughput and latency, side by side with a plain in-memory copy, in one run.
 *
 * <p>Every round runs each case once, in turn, so a busy neighbour on a shared machine slows all cases alike;
 * the table shows medians over the rounds and ratios to the ceiling (or to the configured rate). Run with
 * {@code mvn -q -pl engine test-compile exec:exec@bench} (add {@code -Dbench.rounds=N}).
 */
public final class FabricBench {
    private static final int MIB = 1 << 20;

    private FabricBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 7);
        long bytes = Long.getLong("bench.bytes", 1L << 30);
        Map<String, List<Double>> results = new LinkedHashMap<>();
        System.out.printf(Locale.ROOT, "Hopwire emulated fabric bench: %d rounds, %d MiB per throughput case, %d cores%n",
                rounds, bytes >> 20, Runtime.getRuntime().availableProcessors());
        warmUp();
        for (int r = 0; r < rounds; r++) {
            add(results, "memcpy 1 MiB (ceiling) GB/s", memcpy(bytes));
            add(results, "emulated unthrottled, 1 MiB writes GB/s", throughput(CableProfile.UNTHROTTLED, bytes, MIB));
            add(results, "emulated unthrottled, 4 KiB writes GB/s",
                    throughput(CableProfile.UNTHROTTLED, bytes / 4, 4096));
            add(results, "emulated 40G preset, 1 MiB writes GB/s",
                    throughput(CableProfile.USB4_40G, bytes / 2, MIB));
            double[] rtt = roundTrips(CableProfile.UNTHROTTLED, 20_000);
            add(results, "unthrottled 4 KiB round trip p50 us", rtt[0]);
            add(results, "unthrottled 4 KiB round trip p99 us", rtt[1]);
            double[] rtt40 = roundTrips(CableProfile.USB4_40G, 5_000);
            add(results, "40G preset 4 KiB round trip p50 us", rtt40[0]);
            add(results, "40G preset 4 KiB round trip p99 us", rtt40[1]);
            System.out.printf(Locale.ROOT, "round %d done%n", r + 1);
        }
        double ceiling = median(results.get("memcpy 1 MiB (ceiling) GB/s"));
        double preset = CableProfile.USB4_40G.bytesPerSecond() / 1e9;
        System.out.println();
        System.out.printf(Locale.ROOT, "%-44s %10s %10s %10s  %s%n", "case", "median", "min", "max", "ratio");
        for (var e : results.entrySet()) {
            List<Double> v = e.getValue();
            String ratio = "";
            if (e.getKey().endsWith("GB/s") && !e.getKey().startsWith("memcpy")) {
                ratio = e.getKey().contains("40G")
                        ? String.format(Locale.ROOT, "%.3f of the configured %.2f GB/s", median(v) / preset, preset)
                        : String.format(Locale.ROOT, "%.3f of memcpy", median(v) / ceiling);
            }
            System.out.printf(Locale.ROOT, "%-44s %10.3f %10.3f %10.3f  %s%n", e.getKey(), median(v),
                    v.stream().mapToDouble(d -> d).min().orElse(0), v.stream().mapToDouble(d -> d).max().orElse(0),
                    ratio);
        }
    }

    private static void warmUp() throws Exception {
        memcpy(256L * MIB);
        throughput(CableProfile.UNTHROTTLED, 256L * MIB, MIB);
        throughput(CableProfile.UNTHROTTLED, 64L * MIB, 4096);
        roundTrips(CableProfile.UNTHROTTLED, 5_000);
    }

    private static void add(Map<String, List<Double>> results, String key, double value) {
        results.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(d -> d).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Copies {@code bytes} in 1 MiB blocks between two heap buffers: what any byte path costs at least. */
    private static double memcpy(long bytes) {
        byte[] src = new byte[MIB];
        byte[] dst = new byte[MIB];
        Arrays.fill(src, (byte) 1);
        long start = System.nanoTime();
        for (long done = 0; done < bytes; done += MIB) {
            System.arraycopy(src, 0, dst, 0, MIB);
        }
        long ns = System.nanoTime() - start;
        if (dst[MIB - 1] != 1) {
            throw new AssertionError("copy lost");
        }
        return bytes / (double) ns;
    }

    private static StreamChannel[] open(EmulatedTestbed bed) throws Exception {
        return bed.openPair("bench", Usb4Stream.DEFAULT_RING_SIZE);
    }

    /** One writer, one reader, default ring; returns GB/s of payload from first write to last byte read. */
    static double throughput(CableProfile profile, long bytes, int writeSize) throws Exception {
        try (EmulatedTestbed bed = new EmulatedTestbed(profile)) {
            StreamChannel[] c = open(bed);
            Future<Long> reader = Transfers.inBackground(() -> {
                ByteBuffer buf = ByteBuffer.allocate(MIB);
                long got = 0;
                while (got < bytes) {
                    buf.clear();
                    got += c[1].read(buf);
                }
                return System.nanoTime();
            });
            ByteBuffer src = ByteBuffer.allocate(writeSize);
            long start = System.nanoTime();
            for (long sent = 0; sent < bytes; sent += writeSize) {
                src.clear();
                c[0].writeFully(src);
            }
            long end = reader.get(120, TimeUnit.SECONDS);
            return bytes / (double) (end - start);
        }
    }

    /** 4 KiB from A to B and back, one at a time; returns {p50, p99} in microseconds. */
    private static double[] roundTrips(CableProfile profile, int count) throws Exception {
        try (EmulatedTestbed bed = new EmulatedTestbed(profile)) {
            return roundTrips(bed, count);
        }
    }

    /** As above, on a stream of {@code bed}; {p50, p99} in us. */
    static double[] roundTrips(EmulatedTestbed bed, int count) throws Exception {
        StreamChannel[] c = open(bed);
        Future<Void> echo = Transfers.inBackground(() -> {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            for (int i = 0; i < count; i++) {
                buf.clear();
                while (buf.hasRemaining()) {
                    c[1].read(buf);
                }
                buf.flip();
                c[1].writeFully(buf);
            }
            return null;
        });
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long[] ns = new long[count];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            buf.clear();
            c[0].writeFully(buf);
            buf.clear();
            while (buf.hasRemaining()) {
                c[0].read(buf);
            }
            ns[i] = System.nanoTime() - t0;
        }
        echo.get(10, TimeUnit.SECONDS);
        Arrays.sort(ns);
        return new double[] {ns[count / 2] / 1e3, ns[(int) (count * 0.99)] / 1e3};
    }
}
