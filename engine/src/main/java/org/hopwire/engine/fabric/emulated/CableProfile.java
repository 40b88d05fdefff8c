package org.hopwire.engine.fabric.emulated;

/**
 * How an emulated cable behaves: its rate and delay per direction, and the link speed sysfs reports for it.
 *
 * @param bytesPerSecond       payload rate per direction; 0 means as fast as memory allows
 * @param latencyNs            one-way delay added to every packet
 * @param speedGbpsPerLane     what {@code rx_speed}/{@code tx_speed} report
 * @param lanes                what {@code rx_lanes}/{@code tx_lanes} report
 */
public record CableProfile(long bytesPerSecond, long latencyNs, int speedGbpsPerLane, int lanes) {
    /** No rate limit and no delay, reported as a 40 Gb/s link: tests and the app's emulated mode. */
    public static final CableProfile UNTHROTTLED = new CableProfile(0, 0, 20, 2);

    /**
     * Behaves like a measured 40 Gb/s USB4 host-to-host link: about 1.1 GB/s per direction for one stream, and 11 us
     * one way (half the 22 us median 4 KiB round trip reported on real links in 2026).
     */
    public static final CableProfile USB4_40G = new CableProfile(1_100_000_000L, 11_000, 20, 2);

    public CableProfile {
        if (bytesPerSecond < 0 || latencyNs < 0 || speedGbpsPerLane <= 0 || lanes <= 0) {
            throw new IllegalArgumentException("cable profile values must be positive (rate and latency may be 0)");
        }
    }

    /** Whether packets get delivery times at all; an unthrottled cable skips the clock entirely. */
    public boolean isThrottled() {
        return bytesPerSecond > 0 || latencyNs > 0;
    }
}
