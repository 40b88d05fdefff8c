package org.hopwire.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class DataStreamTest {
    private final List<MediaFrame> frames = new ArrayList<>();
    private final List<ChannelException> ended = new ArrayList<>();
    private final DataStreamDecoder.Handler handler = new DataStreamDecoder.Handler() {
        @Override
        public void onFrame(MediaFrame frame) {
            frames.add(frame);
        }

        @Override
        public void onChannelEnded(ChannelException reason) {
            ended.add(reason);
        }
    };

    static MediaFrame frame(int channel, long sequence, int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return new MediaFrame(channel, sequence, 1_000 * sequence, 900 * sequence, 33_333_333, 
                sequence % 30 == 0 ? FragmentHeader.KEY_FRAME : FragmentHeader.DELTA, ByteBuffer.wrap(data))
                .capsVersion((int) (sequence / 7) + 1);
    }

    /** Fragments of all frames, the channels interleaved one fragment at a time, as one byte array. */
    static ByteBuffer interleave(List<List<MediaFrame>> perChannel, boolean crc) {
        ByteBuffer out = ByteBuffer.allocate(64 << 20);
        List<FrameFragmenter> fragmenters = new ArrayList<>();
        List<Integer> next = new ArrayList<>();
        for (int i = 0; i < perChannel.size(); i++) {
            fragmenters.add(new FrameFragmenter());
            next.add(0);
        }
        boolean any = true;
        while (any) {
            any = false;
            for (int c = 0; c < perChannel.size(); c++) {
                FrameFragmenter f = fragmenters.get(c);
                if (!f.hasMore() && next.get(c) < perChannel.get(c).size()) {
                    f.start(perChannel.get(c).get(next.get(c)), crc);
                    next.set(c, next.get(c) + 1);
                }
                if (f.hasMore()) {
                    assertTrue(f.writeNext(out) > 0);
                    any = true;
                }
            }
        }
        return out.flip();
    }

    /** Feeds the bytes in pieces of random size, as reads of a byte stream cut them. */
    static void feedInPieces(DataStreamDecoder d, ByteBuffer bytes, Random random) throws ProtocolException {
        while (bytes.hasRemaining()) {
            int n = Math.min(bytes.remaining(), 1 + random.nextInt(random.nextBoolean() ? 70 : 200_000));
            ByteBuffer piece = bytes.slice(bytes.position(), n);
            d.feed(piece);
            assertEquals(0, piece.remaining(), "feed consumes everything");
            bytes.position(bytes.position() + n);
        }
    }

    @Test
    void shouldReassembleInterleavedChannelsWithTheirTimestampsAndFlags() throws Exception {
        int[] sizes = {0, 1, 4096, 65_536, 65_537, 200_000, 3 << 20};
        List<List<MediaFrame>> sent = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            List<MediaFrame> list = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                list.add(frame(c * 7, i, sizes[(i + c) % sizes.length], c * 100 + i));
            }
            sent.add(list);
        }
        DataStreamDecoder d = new DataStreamDecoder(DataStreamDecoder.Limits.DEFAULT, handler);
        feedInPieces(d, interleave(sent, true), new Random(1));
        assertTrue(ended.isEmpty(), ended.toString());
        assertEquals(3 * sizes.length, frames.size());
        for (List<MediaFrame> list : sent) {
            List<MediaFrame> got = frames.stream().filter(f -> f.channel() == list.get(0).channel()).toList();
            assertEquals(list.size(), got.size());
            for (int i = 0; i < list.size(); i++) {
                MediaFrame a = list.get(i);
                MediaFrame b = got.get(i);
                assertEquals(List.of(a.sequence(), a.pts(), a.dts(), a.duration(), (long) a.bufferFlags(),
                                (long) a.capsVersion()),
                        List.of(b.sequence(), b.pts(), b.dts(), b.duration(), (long) b.bufferFlags(),
                                (long) b.capsVersion()));
                assertEquals(a.payload().rewind(), b.payload(), "payload of frame " + i);
            }
        }
        assertEquals(0, d.framesInReassembly());
    }

    @Test
    void shouldRefuseAFrameOverTheLimitBeforeAllocatingIt() throws Exception {
        AtomicLong allocated = new AtomicLong();
        DataStreamDecoder d = new DataStreamDecoder(new DataStreamDecoder.Limits(1 << 20, 4, 4 << 20, true), handler,
                (channel, length) -> {
                    allocated.addAndGet(length);
                    return ByteBuffer.allocate(length);
                });
        d.feed(interleave(List.of(List.of(frame(3, 0, (1 << 20) + 1, 9)), List.of(frame(4, 0, 1000, 10))), false));
        assertEquals(1, ended.size());
        assertEquals(3, ended.get(0).channel());
        assertTrue(ended.get(0).getMessage().contains("over the limit"), ended.get(0).getMessage());
        assertEquals(1000, allocated.get(), "only the frame within bounds took memory");
        assertEquals(1, frames.size(), "other channels carry on");
        assertEquals(4, frames.get(0).channel());
    }

    @Test
    void shouldGiveBackTheBufferOfAFrameItWillNotHandOn() throws Exception {
        BufferPool pool = new BufferPool(64 << 20);
        DataStreamDecoder d = new DataStreamDecoder(DataStreamDecoder.Limits.DEFAULT, handler, pool);
        // A frame cut off by a new one on its channel, a frame failing its checksum, and one half-received when its
        // channel is reset: none is handed on, every buffer comes back.
        ByteBuffer cut = interleave(List.of(List.of(frame(1, 0, 300_000, 3))), false);
        int end = cut.limit();
        d.feed(cut.limit(end - 1000));
        assertEquals(1, pool.outstanding());
        d.resetChannel(1);
        assertEquals(0, pool.outstanding(), "reset: the half frame's buffer came back");
        d.feed(cut.limit(end)); // the rest of the fragment that was under way is skipped, not written anywhere
        assertEquals(0, frames.size());
        ByteBuffer bad = interleave(List.of(List.of(frame(2, 0, 5000, 3))), true);
        bad.put(FragmentHeader.LENGTH + 100, (byte) (bad.get(FragmentHeader.LENGTH + 100) ^ 1));
        d.feed(bad);
        assertEquals(0, pool.outstanding(), "checksum failed: its buffer came back");
        d.feed(interleave(List.of(List.of(frame(3, 0, 9000, 3))), false));
        assertEquals(1, frames.size());
        assertEquals(1, pool.outstanding(), "only the frame handed on is out");
    }

    @Test
    void shouldEndAChannelWhoseFrameFailsItsChecksum() throws Exception {
        ByteBuffer bytes = interleave(List.of(List.of(frame(1, 0, 5000, 3), frame(1, 1, 10, 4))), true);
        bytes.put(FragmentHeader.LENGTH + 100, (byte) (bytes.get(FragmentHeader.LENGTH + 100) ^ 1));
        DataStreamDecoder d = new DataStreamDecoder(DataStreamDecoder.Limits.DEFAULT, handler);
        d.feed(bytes);
        assertEquals(1, ended.size());
        assertTrue(ended.get(0).getMessage().contains("CRC32C"));
        assertTrue(frames.isEmpty(), "nothing more from an ended channel");
        d.resetChannel(1);
        d.feed(interleave(List.of(List.of(frame(1, 2, 10, 5))), true));
        assertEquals(1, frames.size(), "a reset channel carries frames again");
    }

    @Test
    void shouldBoundTheFramesHeldInReassembly() throws Exception {
        DataStreamDecoder d = new DataStreamDecoder(new DataStreamDecoder.Limits(1 << 20, 2, 4 << 20, true), handler);
        // Three channels each start a frame and never finish it: the third is over the bound.
        for (int c = 0; c < 3; c++) {
            ByteBuffer one = ByteBuffer.allocate(FragmentHeader.LENGTH + 10);
            new FragmentHeader().wrap(one, 0).set(FragmentHeader.FIRST, c, 0, 0, 100, 0, 10, 0, 0, 0, 0);
            d.feed(one);
        }
        assertEquals(2, d.framesInReassembly());
        assertEquals(200, d.bytesInReassembly());
        assertEquals(1, ended.size());
        assertEquals(2, ended.get(0).channel());
    }

    /** The first fragment of a frame of {@code frameLength} bytes, with 10 of them: a frame that never finishes. */
    private static ByteBuffer unfinished(int channel, int frameLength) {
        ByteBuffer one = ByteBuffer.allocate(FragmentHeader.LENGTH + 10);
        new FragmentHeader().wrap(one, 0).set(FragmentHeader.FIRST, channel, 0, 0, frameLength, 0, 10, 0, 0, 0, 0);
        return one;
    }

    @Test
    void shouldBoundTheMemoryReallyAllocatedNotTheLengthsDeclared() throws Exception {
        // 15 frames of 8 MiB + 24 declare 120 MiB, under the 128 MiB bound; rounded to power-of-two buffers they took
        // 240 MiB. The bound counts what the pool really hands out.
        DataStreamDecoder.Limits limits = DataStreamDecoder.Limits.DEFAULT;
        BufferPool pool = new BufferPool(256L << 20);
        List<ByteBuffer> handedOut = new ArrayList<>();
        DataStreamDecoder d = new DataStreamDecoder(limits, handler, new DataStreamDecoder.Allocator() {
            @Override
            public ByteBuffer allocate(int channel, int length) {
                ByteBuffer b = pool.allocate(channel, length);
                handedOut.add(b);
                return b;
            }

            @Override
            public long footprint(int length) {
                return pool.footprint(length);
            }
        });
        int length = (8 << 20) + 24;
        long held = 0;
        for (int c = 0; c < 15; c++) {
            d.feed(unfinished(c, length));
            held = handedOut.stream().mapToLong(ByteBuffer::capacity).sum();
            assertTrue(held <= limits.maxBytesInReassembly(), "frame " + c + ": " + held + " bytes allocated");
        }
        assertEquals(held, d.bytesInReassembly(), "the decoder counts what was allocated");
        assertEquals(12, handedOut.size(), "twelve 10 MiB buffers fit in 128 MiB");
        assertEquals(12, d.framesInReassembly());
        assertEquals(List.of(12, 13, 14), ended.stream().map(ChannelException::channel).toList(),
                "the frames over the bound end their channels instead of allocating");
        assertTrue(ended.get(0).getMessage().contains("bytes in reassembly"), ended.get(0).getMessage());
        d.resetChannel(0);
        assertEquals(11L * (10 << 20), d.bytesInReassembly(), "a dropped frame gives back what it counted");
    }

    @Test
    void shouldKeepTheBoundWhenTheAllocatorGivesMoreThanItSays() throws Exception {
        // A plain lambda says nothing of the pool's rounding: the buffer over the bound is made but not kept.
        BufferPool pool = new BufferPool(0);
        DataStreamDecoder d = new DataStreamDecoder(new DataStreamDecoder.Limits(1 << 20, 16, 1 << 20, true), handler,
                (channel, length) -> pool.acquire(length));
        for (int c = 0; c < 8; c++) {
            d.feed(unfinished(c, (128 << 10) + 1));
            assertTrue(d.bytesInReassembly() <= 1 << 20, "frame " + c);
        }
        assertEquals(6, d.framesInReassembly(), "six 160 KiB buffers fit in 1 MiB");
        assertEquals(6 * (160 << 10), d.bytesInReassembly());
        assertEquals(2, ended.size());
    }

    @Test
    void shouldEndAChannelWhoseFragmentsComeOutOfOrder() throws Exception {
        ByteBuffer bytes = interleave(List.of(List.of(frame(5, 0, 200_000, 1))), false);
        // Swap the second and third fragments.
        int f = FragmentHeader.LENGTH + FragmentHeader.MAX_FRAGMENT_PAYLOAD;
        byte[] all = new byte[bytes.remaining()];
        bytes.get(all);
        byte[] swapped = all.clone();
        System.arraycopy(all, 2 * f, swapped, f, f);
        System.arraycopy(all, f, swapped, 2 * f, f);
        DataStreamDecoder d = new DataStreamDecoder(DataStreamDecoder.Limits.DEFAULT, handler);
        d.feed(ByteBuffer.wrap(swapped));
        assertEquals(1, ended.size());
        assertTrue(ended.get(0).getMessage().contains("out of order"), ended.get(0).getMessage());
        assertEquals(0, d.framesInReassembly());
    }

    @Test
    void shouldThrowWhenTheStreamIsOutOfStep() {
        DataStreamDecoder d = new DataStreamDecoder(DataStreamDecoder.Limits.DEFAULT, handler);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> d.feed(ByteBuffer.wrap(new byte[FragmentHeader.LENGTH])));
        assertEquals(ProtocolError.MALFORMED, e.error());
    }

    @Test
    void shouldWriteOnlyWholeFragmentsIntoTheRoomThereIs() {
        FrameFragmenter f = new FrameFragmenter();
        f.start(frame(0, 0, 1000, 1), false);
        assertEquals(0, f.writeNext(ByteBuffer.allocate(FragmentHeader.LENGTH)), "no room for any payload");
        ByteBuffer small = ByteBuffer.allocate(FragmentHeader.LENGTH + 100);
        assertEquals(FragmentHeader.LENGTH + 100, f.writeNext(small));
        assertTrue(f.hasMore());
        ByteBuffer rest = ByteBuffer.allocate(2000);
        assertEquals(FragmentHeader.LENGTH + 900, f.writeNext(rest));
        assertTrue(!f.hasMore());
        FragmentHeader h = new FragmentHeader().wrap(rest, 0);
        assertEquals(FragmentHeader.LAST, h.fragmentFlags());
        assertEquals(100, h.fragmentOffset());
        byte[] payload = new byte[900];
        rest.get(FragmentHeader.LENGTH, payload);
        byte[] expected = new byte[900];
        frame(0, 0, 1000, 1).payload().get(100, expected);
        assertArrayEquals(expected, payload);
    }
}
