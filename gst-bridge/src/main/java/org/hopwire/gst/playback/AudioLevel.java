package org.hopwire.gst.playback;

/**
 * The loudness of a borrowed microphone over the last interval, as GStreamer's {@code level} element measured it:
 * the loudest channel's peak and RMS in dB full scale (0 is the loudest a sample can be, silence is far below -60).
 *
 * @param peakDb      the highest sample of the interval, in dBFS
 * @param rmsDb       the interval's root mean square, in dBFS
 * @param measuredAtNs when it reached Java ({@link System#nanoTime()}), to tell a live meter from a stalled one
 */
public record AudioLevel(double peakDb, double rmsDb, long measuredAtNs) {
    /** Below this a level reads as silence; the meter's scale starts here. */
    public static final double FLOOR_DB = -60;

    /** The loudest of several channels' values; {@code -infinity} (digital silence) for none. */
    static double loudest(double[] perChannel) {
        double max = Double.NEGATIVE_INFINITY;
        if (perChannel != null) {
            for (double v : perChannel) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        return max;
    }
}
