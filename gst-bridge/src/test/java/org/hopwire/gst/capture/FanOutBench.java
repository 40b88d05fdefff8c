package org.hopwire.gst.capture;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.format.FormatChoice;

/**
 * The owner's capture cost when one device is lent to several borrowers: process CPU (in cores) while taps of the
 * test camera at 1280x720 30 fps hand their frames straight back, case by case in interleaved rounds, so the ratios
 * come from one run on one machine. It measures capture, conversion and encoding, not the sessions' send (a copy of
 * each frame into the data stream per lend, the same with or without sharing).
 *
 * <p>Run: {@code mvn -q -pl gst-bridge -am test-compile exec:exec@fan-out-bench [-Dbench.seconds=10]}.
 */
public final class FanOutBench {
    private static final FormatChoice RAW = new FormatChoice(FormatChoice.Encoding.RAW, "NV12", 1280, 720, 30, 1,
            false, 41_472_000L, 0, "bench");
    private static final FormatChoice MJPEG = new FormatChoice(FormatChoice.Encoding.MJPEG, "", 1280, 720, 30, 1,
            false, 4_000_000L, 0, "bench");

    private record Case(String name, boolean separate, FormatChoice... taps) {
    }

    private static final List<Case> CASES = List.of(
            new Case("raw, 1 borrower", false, RAW),
            new Case("raw, 2 borrowers shared", false, RAW, RAW),
            new Case("MJPEG, 1 borrower", false, MJPEG),
            new Case("MJPEG, 2 borrowers shared", false, MJPEG, MJPEG),
            new Case("raw + MJPEG, one device (shared)", false, RAW, MJPEG),
            new Case("raw + MJPEG, two captures (before)", true, RAW, MJPEG));

    private FanOutBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(System.getProperty("bench.seconds", "10"));
        int rounds = 3;
        long perRoundMs = (long) (seconds * 1000 / rounds);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        TestDevices devices = new TestDevices();
        double[][] cores = new double[CASES.size()][rounds];
        double[][] fps = new double[CASES.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < CASES.size(); c++) {
                Case k = CASES.get(c);
                List<SharedCaptures> hosts = new ArrayList<>();
                List<SharedCaptures.Tap> taps = new ArrayList<>();
                AtomicLong frames = new AtomicLong();
                SharedCaptures one = new SharedCaptures();
                hosts.add(one);
                for (FormatChoice choice : k.taps()) {
                    SharedCaptures host = one;
                    if (k.separate() && !taps.isEmpty()) {
                        host = new SharedCaptures(); // today's way: each lend its own capture of the device
                        hosts.add(host);
                    }
                    SharedCaptures.Tap[] self = new SharedCaptures.Tap[1];
                    self[0] = host.open(TestDevices.CAMERA_ID, devices.source(TestDevices.CAMERA_ID), choice, 0,
                            false, Duration.ofSeconds(10), new Capture.Listener() {
                                @Override
                                public void onCaps(String caps) {
                                }

                                @Override
                                public void onFrame(MediaFrame frame) {
                                    frames.incrementAndGet();
                                    self[0].release(frame);
                                }

                                @Override
                                public void onProblem(MediaProblem problem) {
                                    System.err.println(k.name() + ": " + problem);
                                }
                            });
                    self[0].sendTo(taps.size());
                    taps.add(self[0]);
                }
                Thread.sleep(1500); // the encoders settle
                long f0 = frames.get();
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                Thread.sleep(perRoundMs);
                long cpu1 = os.getProcessCpuTime();
                long t1 = System.nanoTime();
                cores[c][r] = (cpu1 - cpu0) / (double) (t1 - t0);
                fps[c][r] = (frames.get() - f0) * 1e9 / (t1 - t0) / taps.size();
                taps.forEach(SharedCaptures.Tap::close);
                hosts.forEach(SharedCaptures::close);
            }
        }
        System.out.printf(Locale.ROOT, "Owner capture CPU, test camera 1280x720 30 fps, %d rounds of %.1f s%n", rounds,
                perRoundMs / 1000.0);
        System.out.printf(Locale.ROOT, "%-38s %8s %8s %10s%n", "case", "cores", "fps/lend", "vs base");
        double[] median = new double[CASES.size()];
        for (int c = 0; c < CASES.size(); c++) {
            median[c] = median(cores[c]);
        }
        for (int c = 0; c < CASES.size(); c++) {
            int base = switch (c) {
                case 1 -> 0;
                case 3 -> 2;
                case 4 -> 5;
                default -> -1;
            };
            System.out.printf(Locale.ROOT, "%-38s %8.3f %8.1f %10s%n", CASES.get(c).name(), median[c],
                    median(fps[c]), base < 0 ? "" : String.format(Locale.ROOT, "%.2fx", median[c] / median[base]));
        }
        System.exit(0);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
