package org.hopwire.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Mutated, truncated and oversized input for both decoders: only {@link ProtocolException} may come out, and memory
 * stays within the configured bounds. 10,000 inputs each by default; 1,000,000 each with the {@code long} tag.
 */
class DecoderFuzzTest {
    private static final DataStreamDecoder.Limits LIMITS = new DataStreamDecoder.Limits(256 << 10, 4, 512 << 10, true);

    @Test
    void shouldSurviveTenThousandMutatedInputsEach() {
        fuzzData(10_000, 1);
        fuzzControl(10_000, 2);
        fuzzSealedControl(10_000, 5);
    }

    @Test
    @Tag("long")
    void shouldSurviveAMillionMutatedInputsEach() {
        fuzzData(1_000_000, 3);
        fuzzControl(1_000_000, 4);
        fuzzSealedControl(1_000_000, 6);
    }

    private static List<byte[]> dataSeeds() {
        Random r = new Random(11);
        List<byte[]> seeds = new ArrayList<>();
        int[] sizes = {0, 1, 100, 4096, 70_000, 150_000};
        for (int s = 0; s < 8; s++) {
            List<List<MediaFrame>> channels = new ArrayList<>();
            for (int c = 0; c < 1 + s % 3; c++) {
                List<MediaFrame> frames = new ArrayList<>();
                for (int i = 0; i < 1 + r.nextInt(3); i++) {
                    frames.add(DataStreamTest.frame(c, i, sizes[r.nextInt(sizes.length)], r.nextLong()));
                }
                channels.add(frames);
            }
            ByteBuffer b = DataStreamTest.interleave(channels, s % 2 == 0);
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            seeds.add(bytes);
        }
        return seeds;
    }

    private static void fuzzData(int inputs, long seed) {
        List<byte[]> seeds = dataSeeds();
        Random r = new Random(seed);
        long protocolErrors = 0;
        for (int i = 0; i < inputs; i++) {
            byte[] input = mutate(seeds.get(r.nextInt(seeds.size())), r, true);
            AtomicLong largest = new AtomicLong();
            DataStreamDecoder d = new DataStreamDecoder(LIMITS, new DataStreamDecoder.Handler() {
                @Override
                public void onFrame(MediaFrame frame) {
                }

                @Override
                public void onChannelEnded(ChannelException reason) {
                }
            }, (channel, length) -> {
                largest.accumulateAndGet(length, Math::max);
                return ByteBuffer.allocate(length);
            });
            try {
                ByteBuffer in = ByteBuffer.wrap(input);
                while (in.hasRemaining()) {
                    int n = Math.min(in.remaining(), 1 + r.nextInt(100_000));
                    d.feed(in.slice(in.position(), n));
                    in.position(in.position() + n);
                    assertTrue(d.bytesInReassembly() <= LIMITS.maxBytesInReassembly(), "input " + i);
                    assertTrue(d.framesInReassembly() <= LIMITS.maxFramesInReassembly(), "input " + i);
                }
            } catch (ProtocolException expected) {
                protocolErrors++;
            } catch (RuntimeException | Error e) {
                fail("data input " + i + " (seed " + seed + ") escaped with " + e, e);
            }
            assertTrue(largest.get() <= LIMITS.maxFrameBytes(), "input " + i + " allocated " + largest.get());
        }
        assertTrue(protocolErrors > 0, "the mutations reached the error paths");
    }

    private static void fuzzControl(int inputs, long seed) {
        ByteBuffer all = ControlCodecTest.concat(ControlCodecTest.everyType());
        byte[] base = new byte[all.remaining()];
        all.get(base);
        Random r = new Random(seed);
        long protocolErrors = 0;
        long messages = 0;
        for (int i = 0; i < inputs; i++) {
            byte[] input = mutate(base, r, false);
            ControlCodec.Decoder d = new ControlCodec.Decoder();
            long[] count = new long[1];
            try {
                ByteBuffer in = ByteBuffer.wrap(input);
                while (in.hasRemaining()) {
                    int n = Math.min(in.remaining(), 1 + r.nextInt(64));
                    d.feed(in.slice(in.position(), n), m -> count[0]++);
                    in.position(in.position() + n);
                    assertTrue(d.bodyCapacity() <= ControlCodec.MAX_BODY, "input " + i);
                }
            } catch (ProtocolException expected) {
                protocolErrors++;
            } catch (RuntimeException | Error e) {
                fail("control input " + i + " (seed " + seed + ") escaped with " + e, e);
            }
            messages += count[0];
        }
        assertTrue(protocolErrors > 0 && messages > 0, "both decoded and refused inputs were met");
    }

    /**
     * Sealed messages, mutated: whatever the decoder hands on must be exactly the message sent at that place; a
     * changed byte anywhere never gets a message through.
     */
    private static void fuzzSealedControl(int inputs, long seed) {
        byte[] key = new byte[32];
        new Random(seed).nextBytes(key);
        List<ControlMessage> sent = ControlCodecTest.everyType();
        WireWriter w = new WireWriter(256);
        ControlSeal out = new ControlSeal(key);
        sent.forEach(m -> ControlCodec.encode(m, w, out));
        ByteBuffer all = w.toBuffer();
        byte[] base = new byte[all.remaining()];
        all.get(base);
        Random r = new Random(seed);
        long refused = 0;
        for (int i = 0; i < inputs; i++) {
            byte[] input = mutate(base, r, false);
            ControlCodec.Decoder d = new ControlCodec.Decoder();
            d.expectSealed(new ControlSeal(key));
            List<ControlMessage> got = new ArrayList<>();
            try {
                d.feed(ByteBuffer.wrap(input), got::add);
            } catch (ProtocolException expected) {
                refused++;
            } catch (RuntimeException | Error e) {
                fail("sealed control input " + i + " (seed " + seed + ") escaped with " + e, e);
            }
            for (int k = 0; k < got.size(); k++) {
                if (!ControlCodec.encode(got.get(k)).equals(ControlCodec.encode(sent.get(k)))) {
                    fail("sealed input " + i + ": message " + k + " was altered and still handed on: " + got.get(k));
                }
            }
        }
        assertTrue(refused > 0, "the mutations reached the error paths");
    }

    /** One of: flipped bits, random bytes, a truncation, inserted bytes, or a length field made huge. */
    static byte[] mutate(byte[] seed, Random r, boolean data) {
        byte[] b = seed.clone();
        if (b.length == 0) {
            return b;
        }
        switch (r.nextInt(6)) {
            case 0 -> {
                for (int k = 0; k < 1 + r.nextInt(8); k++) {
                    int at = r.nextInt(b.length);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> {
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            case 3 -> {
                int at = r.nextInt(b.length);
                byte[] extra = new byte[1 + r.nextInt(64)];
                r.nextBytes(extra);
                byte[] grown = new byte[b.length + extra.length];
                System.arraycopy(b, 0, grown, 0, at);
                System.arraycopy(extra, 0, grown, at, extra.length);
                System.arraycopy(b, at, grown, at + extra.length, b.length - at);
                b = grown;
            }
            case 4 -> {
                // A length field: the frame or fragment length of a fragment header, or a message body length.
                int at = data ? FragmentHeader.FRAME_LENGTH_OFFSET + 4 * r.nextInt(3) : 4;
                if (at + 4 <= b.length) {
                    ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(at, r.nextInt());
                }
            }
            default -> {
                int from = r.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + r.nextInt(200));
                int to = r.nextInt(b.length - len + 1);
                System.arraycopy(seed, from, b, to, len);
            }
        }
        return b;
    }
}
