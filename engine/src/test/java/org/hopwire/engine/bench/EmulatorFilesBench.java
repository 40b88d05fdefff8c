package org.hopwire.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.emulator.Emulator;
import org.hopwire.engine.emulator.fuse.FuseServer;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.KernelOverFuseTestbed;

/**
 * {@code hopwire emulate}'s device files next to a plain pipe and the in-process emulated channel, in one run:
 * {@code dd} from {@code /dev/zero} into one host's {@code tbstream0} and out of the other's into {@code /dev/null},
 * with 256 KiB and 1 MiB blocks; the same through {@code dd | dd}; the same through two in-process channels; and a
 * 4 KiB round trip through the files (the kernel adapter on both ends) next to the in-process one.
 *
 * <p>Every round runs each case once, in turn; the table shows medians and ratios. Run as root with {@code mvn -q -pl
 * engine test-compile exec:exec@files-bench} (add {@code -Dbench.rounds=N}).
 */
public final class EmulatorFilesBench {
    private static final int KIB = 1 << 10;
    private static final int MIB = 1 << 20;

    private EmulatorFilesBench() {
    }

    public static void main(String[] args) throws Exception {
        Optional<String> why = FuseServer.unavailableReason();
        if (why.isPresent()) {
            System.err.println("cannot run: " + why.get());
            System.exit(2);
        }
        int rounds = Integer.getInteger("bench.rounds", 5);
        long bytes = Long.getLong("bench.bytes", 1L << 30);
        System.out.printf(Locale.ROOT, "Hopwire emulator files bench: %d rounds, %d MiB per throughput case, %d cores%n",
                rounds, bytes >> 20, Runtime.getRuntime().availableProcessors());
        Map<String, List<Double>> results = new LinkedHashMap<>();
        Path mount = Files.createTempDirectory("hopwire-files-bench-");
        try (Emulator emulator = Emulator.start(new Emulator.Options(mount, List.of("alpha", "beta"),
                CableProfile.UNTHROTTLED, EmulatedWorld.Settings.DEFAULT, Optional.empty()))) {
            prepare(emulator);
            ddThroughDevices(emulator, 256L * MIB, 256 * KIB); // warm-up
            for (int r = 0; r < rounds; r++) {
                for (int bs : new int[] {256 * KIB, MIB}) {
                    String b = bs == MIB ? "1 MiB" : "256 KiB";
                    add(results, "dd through the device files, " + b + " GB/s", ddThroughDevices(emulator, bytes, bs));
                    add(results, "dd | dd (plain pipe), " + b + " GB/s", ddThroughPipe(bytes, bs));
                    add(results, "in-process emulated channel, " + b + " GB/s", inProcess(bytes, bs));
                }
                double[] files = roundTrips(true, 5_000);
                double[] in = roundTrips(false, 5_000);
                add(results, "4 KiB round trip through the files p50 us", files[0]);
                add(results, "4 KiB round trip through the files p99 us", files[1]);
                add(results, "4 KiB round trip in-process p50 us", in[0]);
                add(results, "4 KiB round trip in-process p99 us", in[1]);
                System.out.printf(Locale.ROOT, "round %d done%n", r + 1);
            }
        } finally {
            Files.deleteIfExists(mount);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-46s %9s %9s %9s%n", "case", "median", "min", "max");
        for (var e : results.entrySet()) {
            List<Double> v = e.getValue();
            System.out.printf(Locale.ROOT, "%-46s %9.3f %9.3f %9.3f%n", e.getKey(), median(v),
                    v.stream().mapToDouble(d -> d).min().orElse(0), v.stream().mapToDouble(d -> d).max().orElse(0));
        }
        System.out.println();
        for (String b : new String[] {"256 KiB", "1 MiB"}) {
            double files = median(results.get("dd through the device files, " + b + " GB/s"));
            System.out.printf(Locale.ROOT, "%s blocks: files / pipe %.3f, files / in-process %.3f%n", b,
                    files / median(results.get("dd | dd (plain pipe), " + b + " GB/s")),
                    files / median(results.get("in-process emulated channel, " + b + " GB/s")));
        }
        System.out.printf(Locale.ROOT, "4 KiB round trip p50: files / in-process %.1f%n",
                median(results.get("4 KiB round trip through the files p50 us"))
                        / median(results.get("4 KiB round trip in-process p50 us")));
    }

    /** The receiver's stream with automatic HopIDs on beta, the sender's inheriting it on alpha, as in the recipe. */
    private static void prepare(Emulator emulator) throws Exception {
        Path onBeta = emulator.root("beta").resolve("sys/kernel/config/thunderbolt/stream/0-1.0/bench");
        Files.createDirectories(onBeta);
        Files.writeString(onBeta.resolve("in_hopid"), "-1");
        Files.writeString(onBeta.resolve("out_hopid"), "-1");
        Thread.sleep(emulator.world().settings().timing().lastArrival().toMillis() + 100);
        Files.createDirectories(emulator.root("alpha").resolve("sys/kernel/config/thunderbolt/stream/0-1.0/bench"));
    }

    private static double ddThroughDevices(Emulator emulator, long bytes, int bs) throws Exception {
        long count = bytes / bs;
        Process reader = dd("if=" + emulator.root("beta").resolve("dev/tbstream0"), "of=/dev/null", "bs=" + bs);
        Thread.sleep(200); // the reader opens first
        long start = System.nanoTime();
        Process writer = dd("if=/dev/zero", "of=" + emulator.root("alpha").resolve("dev/tbstream0"), "bs=" + bs,
                "count=" + count);
        finish(writer);
        finish(reader);
        return bytes / (double) (System.nanoTime() - start);
    }

    private static double ddThroughPipe(long bytes, int bs) throws Exception {
        long start = System.nanoTime();
        finish(new ProcessBuilder("bash", "-c", "dd if=/dev/zero bs=" + bs + " count=" + (bytes / bs)
                + " status=none | dd of=/dev/null bs=" + bs + " status=none").start());
        return bytes / (double) (System.nanoTime() - start);
    }

    private static Process dd(String... operands) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("dd", "status=none"));
        cmd.addAll(List.of(operands));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static void finish(Process p) throws Exception {
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("dd failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }

    /** The same bytes through two in-process emulated channels, written in {@code bs} blocks. */
    private static double inProcess(long bytes, int bs) throws Exception {
        return FabricBench.throughput(CableProfile.UNTHROTTLED, bytes, bs);
    }

    /** 4 KiB from A to B and back, one at a time, through the files or in-process; {p50, p99} in microseconds. */
    private static double[] roundTrips(boolean files, int count) throws Exception {
        try (EmulatedTestbed bed = files ? new KernelOverFuseTestbed() : new EmulatedTestbed()) {
            return FabricBench.roundTrips(bed, count);
        }
    }

    private static void add(Map<String, List<Double>> results, String key, double value) {
        results.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(d -> d).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
