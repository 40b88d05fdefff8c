package org.hopwire.gst.playback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.GstRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A borrowed microphone's level, as the meter shows it: measured by GStreamer's level element, latest wins. */
class AudioLevelTest {
    private static final String CAPS = "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2";
    private static final int FRAME_SAMPLES = 480; // 10 ms

    @BeforeAll
    static void gstreamer() {
        org.hopwire.gst.GstAssume.installed();
        assumeTrue(GstRuntime.isInstalled("level"), "needs the level element (gstreamer1.0-plugins-good)");
    }

    /** 10 ms of a 440 Hz sine at {@code amplitude} (of full scale), both channels, from sample {@code first}. */
    private static ByteBuffer sine(double amplitude, long first) {
        ByteBuffer b = ByteBuffer.allocateDirect(FRAME_SAMPLES * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < FRAME_SAMPLES; i++) {
            short v = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * 440 * (first + i) / 48000.0));
            b.putShort(v).putShort(v);
        }
        return b.flip();
    }

    private static Optional<AudioLevel> play(double amplitude) throws Exception {
        try (Playback p = Playback.start("level-test", CAPS, Outputs.PREVIEW, new Playback.Listener() { })) {
            assertTrue(p.isAudio());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long pushedAfterFirstLevel = -1;
            for (int i = 0; System.nanoTime() < deadline; i++) {
                p.push(new MediaFrame(0, i, i * 10_000_000L, -1, 10_000_000L, FragmentHeader.KEY_FRAME,
                        sine(amplitude, (long) i * FRAME_SAMPLES)));
                Thread.sleep(10);
                if (p.level().isPresent() && pushedAfterFirstLevel < 0) {
                    pushedAfterFirstLevel = i;
                }
                if (pushedAfterFirstLevel >= 0 && i > pushedAfterFirstLevel + 20) {
                    break; // a few more intervals, so the level is of the steady tone
                }
            }
            return p.level();
        }
    }

    @Test
    void shouldReportTheLevelOfAToneAsAMeterWouldShowIt() throws Exception {
        AudioLevel level = play(0.5).orElseThrow(() -> new AssertionError("no level measured in 10 s"));
        // A sine at half of full scale: peak -6 dBFS, RMS 3 dB lower.
        assertEquals(-6.0, level.peakDb(), 1.5, level.toString());
        assertEquals(-9.0, level.rmsDb(), 1.5, level.toString());
        assertTrue(level.peakDb() > AudioLevel.FLOOR_DB, level.toString());
        assertTrue(System.nanoTime() - level.measuredAtNs() < TimeUnit.SECONDS.toNanos(5), level.toString());
    }

    @Test
    void shouldReportSilenceBelowTheMetersFloor() throws Exception {
        AudioLevel level = play(0).orElseThrow(() -> new AssertionError("no level measured in 10 s"));
        assertTrue(level.peakDb() < AudioLevel.FLOOR_DB, level.toString());
    }

    @Test
    void shouldMeterEveryAudioPlaybackAndNoVideo() throws Exception {
        Set<String> all = Set.of("level");
        assertTrue(Playback.describe(CAPS, Outputs.SPEAKERS, false, all::contains).contains("level name=level"));
        assertTrue(Playback.describe(CAPS, Outputs.PREVIEW, false, all::contains).contains("level name=level"));
        assertTrue(!Playback.describe("video/x-raw,width=64,height=48", Outputs.PREVIEW, false, all::contains)
                .contains("level"));
        assertTrue(!Playback.describe(CAPS, Outputs.PREVIEW, false, Set.<String>of()::contains).contains("level"),
                "without the plugin the pipeline still plays");
    }

    @Test
    void shouldTakeTheLoudestChannel() {
        assertEquals(-3.0, AudioLevel.loudest(new double[] {-20, -3, Double.NaN}));
        assertEquals(Double.NEGATIVE_INFINITY, AudioLevel.loudest(new double[0]));
    }
}
