package org.hopwire.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Sealed frames through the fragmenter and the decoder: what arrives is what was sent, and nothing else gets in. */
class FrameSealTest {
    private static final byte[] KEY = new byte[32];

    static {
        new Random(3).nextBytes(KEY);
    }

    private final List<MediaFrame> delivered = new ArrayList<>();
    private final List<ChannelException> ended = new ArrayList<>();

    private DataStreamDecoder decoder(FrameSeal.Protection p) {
        return decoder(p, (channel, length) -> ByteBuffer.allocate(length));
    }

    /** A decoder that opens frames into what {@code allocator} gives and records what it delivers. */
    private DataStreamDecoder decoder(FrameSeal.Protection p, DataStreamDecoder.Allocator allocator) {
        return decoder(new FrameSeal(p, KEY), allocator);
    }

    private DataStreamDecoder decoder(FrameSeal opener, DataStreamDecoder.Allocator allocator) {
        DataStreamDecoder d = new DataStreamDecoder(DataStreamDecoder.Limits.DEFAULT, new DataStreamDecoder.Handler() {
            @Override
            public void onFrame(MediaFrame frame) {
                delivered.add(frame);
            }

            @Override
            public void onChannelEnded(ChannelException reason) {
                ended.add(reason);
            }
        }, allocator);
        d.expectSealed(opener);
        return d;
    }

    private static MediaFrame frame(int channel, long seq, int length) {
        byte[] b = new byte[length];
        new Random(seq).nextBytes(b);
        return new MediaFrame(channel, seq, seq * 10, -1, 10, FragmentHeader.KEY_FRAME, ByteBuffer.wrap(b))
                .capsVersion(1);
    }

    /** The bytes a sealing writer puts on the stream for one frame. */
    private static byte[] wire(FrameSeal seal, MediaFrame f) {
        return fragments(f, sealed(seal, f), seal.fragmentFlags());
    }

    /** {@code f}'s payload sealed (heap memory). */
    private static ByteBuffer sealed(FrameSeal seal, MediaFrame f) {
        ByteBuffer sealed = ByteBuffer.allocate(seal.sealedLength(f.payload().remaining()));
        seal.seal(f, sealed);
        return sealed;
    }

    /** The fragments of a frame with {@code f}'s header fields and {@code sealed} (as it is) for its payload. */
    private static byte[] fragments(MediaFrame f, ByteBuffer sealed, int flags) {
        MediaFrame copy = new MediaFrame(f.channel(), f.sequence(), f.pts(), f.dts(), f.duration(), f.bufferFlags(),
                sealed.duplicate()).capsVersion(f.capsVersion());
        FrameFragmenter frag = new FrameFragmenter();
        frag.start(copy, false, flags);
        ByteBuffer out = ByteBuffer.allocate(sealed.remaining() + 64 * FragmentHeader.LENGTH);
        while (frag.hasMore()) {
            frag.writeNext(out);
        }
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    @ParameterizedTest
    @EnumSource(value = FrameSeal.Protection.class, names = {"AUTHENTICATED", "ENCRYPTED"})
    void shouldDeliverExactlyWhatWasSentAcrossFragments(FrameSeal.Protection p) throws Exception {
        FrameSeal out = new FrameSeal(p, KEY);
        DataStreamDecoder d = decoder(p);
        for (int i = 0; i < 3; i++) {
            MediaFrame f = frame(1, i, 200_000 + i);
            byte[] w = wire(out, f);
            if (p == FrameSeal.Protection.ENCRYPTED) {
                assertFalse(contains(w, f.payload().array(), 64), "the payload does not cross in the clear");
            }
            d.feed(ByteBuffer.wrap(w));
            assertEquals(i + 1, delivered.size(), String.valueOf(ended));
            assertEquals(f.payload(), delivered.get(i).payload());
            assertEquals(f.pts(), delivered.get(i).pts());
        }
        assertTrue(ended.isEmpty());
    }

    /**
     * The fast path the data stream takes: sealed into a direct buffer (the payload heap or direct; a heap one is
     * copied next to the counter and encrypted in place), opened in place in a direct pool buffer.
     */
    private static MediaFrame direct(MediaFrame heap) {
        ByteBuffer d = ByteBuffer.allocateDirect(heap.payload().remaining());
        d.put(heap.payload().duplicate()).flip();
        return new MediaFrame(heap.channel(), heap.sequence(), heap.pts(), heap.dts(), heap.duration(),
                heap.bufferFlags(), d).capsVersion(heap.capsVersion());
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @org.junit.jupiter.api.Test
    void shouldSealPieceByPieceTheSameBytesAsWholeAndTakeTheNextCounterEvenWhenAbandoned() {
        FrameSeal whole = new FrameSeal(FrameSeal.Protection.ENCRYPTED, KEY);
        FrameSeal pieces = new FrameSeal(FrameSeal.Protection.ENCRYPTED, KEY);
        Random r = new Random(11);
        for (int i = 0; i < 6; i++) {
            // Not a whole number of AES blocks; one segment, then up to four.
            MediaFrame f = direct(frame(2, i, 200_000 * i + 37 * i + 5));
            ByteBuffer a = ByteBuffer.allocateDirect(whole.sealedLength(f.payload().remaining()));
            whole.seal(f, a);
            ByteBuffer b = ByteBuffer.allocateDirect(a.remaining() + 50);
            FrameSeal.Sealing s = pieces.beginSealing(f, b);
            assertEquals(a.remaining(), b.remaining(), "laid out from the start");
            assertEquals(FrameSeal.COUNTER_BYTES, s.sealedBytes());
            int asked = 0;
            while (!s.done()) {
                asked = Math.min(b.remaining(), asked + 1 + r.nextInt(i % 2 == 0 ? 70_000 : 300_000));
                s.sealTo(asked);
                assertTrue(s.sealedBytes() >= asked, s.sealedBytes() + " sealed, " + asked + " asked");
            }
            assertEquals(java.util.HexFormat.of().formatHex(bytes(a)), java.util.HexFormat.of().formatHex(bytes(b)),
                    "frame " + i);
        }
        // A frame given up half sealed spent its counter: the next frame is sealed under a new one.
        MediaFrame f = direct(frame(2, 6, 100_000));
        pieces.beginSealing(f, ByteBuffer.allocateDirect(100_000 + FrameSeal.OVERHEAD)).sealTo(1000);
        whole.seal(f, ByteBuffer.allocateDirect(100_000 + FrameSeal.OVERHEAD)); // counter 6 on both
        MediaFrame g = direct(frame(2, 7, 1000));
        ByteBuffer a = ByteBuffer.allocateDirect(1000 + FrameSeal.OVERHEAD);
        ByteBuffer b = ByteBuffer.allocateDirect(1000 + FrameSeal.OVERHEAD);
        whole.seal(g, a);
        pieces.seal(g, b);
        assertEquals(7, b.order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0));
        assertTrue(java.util.Arrays.equals(bytes(a), bytes(b)));
    }

    @org.junit.jupiter.api.Test
    void shouldSealWholeAtOnceWhatCannotBeSealedPieceByPiece() {
        FrameSeal seal = new FrameSeal(FrameSeal.Protection.AUTHENTICATED, KEY);
        MediaFrame f = direct(frame(1, 1, 5000));
        FrameSeal.Sealing s = seal.beginSealing(f, ByteBuffer.allocateDirect(5000 + FrameSeal.OVERHEAD));
        assertTrue(s.done(), "authenticated only: nothing to spread");
        FrameSeal enc = new FrameSeal(FrameSeal.Protection.ENCRYPTED, KEY);
        assertTrue(enc.beginSealing(frame(1, 1, 5000), ByteBuffer.allocateDirect(5000 + FrameSeal.OVERHEAD)).done(),
                "a heap payload is sealed whole (its in-place path)");
    }

    @ParameterizedTest
    @EnumSource(value = FrameSeal.Protection.class, names = {"AUTHENTICATED", "ENCRYPTED"})
    void shouldSealIntoAndOpenInDirectMemory(FrameSeal.Protection p) throws Exception {
        FrameSeal out = new FrameSeal(p, KEY);
        BufferPool pool = new BufferPool(64 << 20, true);
        DataStreamDecoder d = decoder(p, pool);
        for (int i = 0; i < 4; i++) {
            MediaFrame heap = frame(1, i, 300_000 + i);
            MediaFrame f = heap;
            if (i % 2 == 1) {
                ByteBuffer direct = ByteBuffer.allocateDirect(heap.payload().remaining());
                direct.put(heap.payload().duplicate()).flip();
                f = new MediaFrame(1, i, heap.pts(), -1, 10, FragmentHeader.KEY_FRAME, direct).capsVersion(1);
            }
            ByteBuffer sealed = ByteBuffer.allocateDirect(out.sealedLength(f.payload().remaining()) + 100);
            sealed.position(0);
            out.seal(f, sealed);
            assertEquals(f.payload().remaining() + FrameSeal.OVERHEAD + FrameSeal.TAG_BYTES, sealed.remaining(),
                    "two segments: a counter and two tags");
            assertEquals(heap.payload().remaining(), f.payload().remaining(), "the payload is only read");
            MediaFrame copy = new MediaFrame(1, f.sequence(), f.pts(), f.dts(), f.duration(), f.bufferFlags(),
                    sealed).capsVersion(1);
            FrameFragmenter frag = new FrameFragmenter();
            frag.start(copy, false, out.fragmentFlags());
            ByteBuffer wire = ByteBuffer.allocate(sealed.remaining() + 64 * FragmentHeader.LENGTH);
            while (frag.hasMore()) {
                frag.writeNext(wire);
            }
            d.feed(wire.flip());
            assertEquals(i + 1, delivered.size(), String.valueOf(ended));
            MediaFrame got = delivered.get(i);
            assertTrue(got.payload().isDirect(), "opened where it was reassembled");
            assertEquals(heap.payload().rewind(), got.payload(), "frame " + i);
        }
        assertTrue(ended.isEmpty());
        assertEquals(4, pool.outstanding(), "the frames delivered, nothing else");
    }

    @ParameterizedTest
    @EnumSource(value = FrameSeal.Protection.class, names = {"AUTHENTICATED", "ENCRYPTED"})
    void shouldEndTheChannelOnAnAlteredByteOrHeaderField(FrameSeal.Protection p) throws Exception {
        FrameSeal out = new FrameSeal(p, KEY);
        byte[] w = wire(out, frame(2, 0, 5000));
        w[FragmentHeader.LENGTH + 100] ^= 0x40;
        DataStreamDecoder d = decoder(p);
        d.feed(ByteBuffer.wrap(w));
        assertTrue(delivered.isEmpty());
        assertEquals(1, ended.size());
        assertEquals(ProtocolError.AUTH_FAILED, ended.get(0).error());

        // A header field (pts) changed on the way: the tag covers it too.
        ended.clear();
        byte[] w2 = wire(out, frame(3, 1, 5000));
        w2[FragmentHeader.PTS_OFFSET] ^= 1;
        decoder(p).feed(ByteBuffer.wrap(w2));
        assertTrue(delivered.isEmpty());
        assertEquals(ProtocolError.AUTH_FAILED, ended.get(0).error());
    }

    @ParameterizedTest
    @EnumSource(value = FrameSeal.Protection.class, names = {"AUTHENTICATED", "ENCRYPTED"})
    void shouldRefuseAReplayedFrameAndAnUnsealedOne(FrameSeal.Protection p) throws Exception {
        FrameSeal out = new FrameSeal(p, KEY);
        byte[] first = wire(out, frame(4, 0, 1000));
        DataStreamDecoder d = decoder(p);
        d.feed(ByteBuffer.wrap(first));
        d.feed(ByteBuffer.wrap(first));
        assertEquals(1, delivered.size(), "the copy is not delivered");
        assertEquals(1, ended.size());

        // A frame with only a CRC, where the session seals: not delivered.
        MediaFrame plain = frame(5, 0, 1000);
        FrameFragmenter frag = new FrameFragmenter();
        frag.start(plain, true);
        ByteBuffer b = ByteBuffer.allocate(2000);
        frag.writeNext(b);
        d.feed(b.flip());
        assertEquals(1, delivered.size());
        assertEquals(2, ended.size());
        assertTrue(ended.get(1).getMessage().contains("not sealed"), ended.get(1).getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = FrameSeal.Protection.class, names = {"AUTHENTICATED", "ENCRYPTED"})
    void shouldNotOpenAFrameSealedUnderAnotherKey(FrameSeal.Protection p) throws Exception {
        byte[] other = KEY.clone();
        other[3] ^= 1;
        decoder(p).feed(ByteBuffer.wrap(wire(new FrameSeal(p, other), frame(1, 0, 300))));
        assertTrue(delivered.isEmpty());
        assertNotEquals(0, ended.size());
    }

    private static final int S = FrameSeal.SEGMENT_BYTES;

    @ParameterizedTest
    @EnumSource(value = FrameSeal.Protection.class, names = {"AUTHENTICATED", "ENCRYPTED"})
    void shouldOpenEachSegmentAsSoonAsItsLastByteHasLanded(FrameSeal.Protection p) {
        FrameSeal out = new FrameSeal(p, KEY);
        FrameSeal in = new FrameSeal(p, KEY);
        MediaFrame f = direct(frame(1, 0, 2 * S + S / 2 + 3));
        ByteBuffer sealed = ByteBuffer.allocateDirect(out.sealedLength(f.payload().remaining()));
        out.seal(f, sealed);
        assertEquals(f.payload().remaining() + FrameSeal.COUNTER_BYTES + 3 * FrameSeal.TAG_BYTES, sealed.remaining(),
                "three segments, a tag each");
        // The bytes land in a receive buffer a piece at a time, as the decoder puts them.
        ByteBuffer data = ByteBuffer.allocateDirect(sealed.remaining());
        FrameSeal.Opening opening = in.beginOpening(f.channel(), f.bufferFlags(), f.sequence(), f.pts(), f.dts(),
                f.duration(), f.capsVersion(), data, sealed.remaining());
        int firstTagEnd = FrameSeal.COUNTER_BYTES + S + FrameSeal.TAG_BYTES;
        int[] stops = {5, FrameSeal.COUNTER_BYTES + 1000, firstTagEnd - 1, firstTagEnd, firstTagEnd + S,
                sealed.remaining() - 1, sealed.remaining()};
        int landed = 0;
        for (int stop : stops) {
            data.put(landed, sealed, landed, stop - landed);
            landed = stop;
            assertTrue(opening.openTo(landed), "landed " + landed);
            boolean firstOpened = landed >= firstTagEnd;
            ByteBuffer firstSegment = data.duplicate().position(FrameSeal.COUNTER_BYTES)
                    .limit(FrameSeal.COUNTER_BYTES + S);
            ByteBuffer plainFirst = f.payload().duplicate().limit(S);
            if (firstOpened || p == FrameSeal.Protection.ENCRYPTED) {
                assertEquals(firstOpened, firstSegment.equals(plainFirst), "landed " + landed
                        + ": the first segment is opened exactly when its tag is in");
            }
            assertEquals(landed == sealed.remaining(), opening.done(), "landed " + landed);
        }
        assertEquals(f.payload(), data, "the payload, whole and in place");
    }

    @ParameterizedTest
    @EnumSource(value = FrameSeal.Protection.class, names = {"AUTHENTICATED", "ENCRYPTED"})
    void shouldRefuseSegmentsSwappedCutShortOrTakenFromAnotherFrame(FrameSeal.Protection p) throws Exception {
        FrameSeal out = new FrameSeal(p, KEY);
        MediaFrame a = frame(1, 0, 3 * S);
        MediaFrame b = frame(1, 1, 3 * S);
        ByteBuffer sa = sealed(out, a);
        ByteBuffer sb = sealed(out, b);
        int segment = S + FrameSeal.TAG_BYTES;
        int flags = out.fragmentFlags();

        byte[] swapped = bytes(sa);
        System.arraycopy(bytes(sa), FrameSeal.COUNTER_BYTES, swapped, FrameSeal.COUNTER_BYTES + segment, segment);
        System.arraycopy(bytes(sa), FrameSeal.COUNTER_BYTES + segment, swapped, FrameSeal.COUNTER_BYTES, segment);
        byte[] spliced = bytes(sb);
        System.arraycopy(bytes(sa), FrameSeal.COUNTER_BYTES + segment, spliced, FrameSeal.COUNTER_BYTES + segment,
                segment);
        ByteBuffer cut = sa.duplicate().limit(sa.limit() - segment);
        ByteBuffer noSuchLength = sa.duplicate().limit(FrameSeal.COUNTER_BYTES + segment + 5);
        java.util.Map<String, byte[]> attacks = new java.util.LinkedHashMap<>();
        attacks.put("two segments swapped", fragments(a, ByteBuffer.wrap(swapped), flags));
        attacks.put("a segment of another frame", fragments(b, ByteBuffer.wrap(spliced), flags));
        attacks.put("the last segment cut off", fragments(a, cut, flags));
        attacks.put("a length no payload is sealed to", fragments(a, noSuchLength, flags));
        for (var attack : attacks.entrySet()) {
            delivered.clear();
            ended.clear();
            BufferPool pool = new BufferPool(64 << 20, true);
            decoder(p, pool).feed(ByteBuffer.wrap(attack.getValue()));
            assertTrue(delivered.isEmpty(), attack.getKey());
            assertEquals(1, ended.size(), attack.getKey());
            assertEquals(ProtocolError.AUTH_FAILED, ended.get(0).error(), attack.getKey());
            assertEquals(0, pool.outstanding(), attack.getKey() + ": its buffer was given back");
        }
        // The frames as they were sealed do get through a fresh decoder.
        delivered.clear();
        ended.clear();
        DataStreamDecoder d = decoder(p);
        d.feed(ByteBuffer.wrap(fragments(a, sa, flags)));
        d.feed(ByteBuffer.wrap(fragments(b, sb, flags)));
        assertEquals(2, delivered.size(), String.valueOf(ended));
    }

    @ParameterizedTest
    @EnumSource(value = FrameSeal.Protection.class, names = {"AUTHENTICATED", "ENCRYPTED"})
    void shouldSealWholeFramesAsProtocol32DoesForAnOlderPeer(FrameSeal.Protection p) throws Exception {
        FrameSeal old = new FrameSeal(p, KEY, FrameSeal.WHOLE_FRAME);
        MediaFrame f = frame(3, 7, 2 * S + 11);
        old.seal(frame(3, 6, 10), ByteBuffer.allocate(64)); // counter 0 spent: the next frame is sealed under 1
        ByteBuffer sealed = sealed(old, f);
        assertEquals(f.payload().remaining() + FrameSeal.OVERHEAD, sealed.remaining(), "one tag for the frame");
        // 3.2's seal, from docs/protocol.md 6.3: nonce 0 0 0 0 || u64 counter, the header fields as additional data.
        javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        byte[] iv = new byte[12];
        iv[4] = 1;
        gcm.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(KEY, 0, 16, "AES"),
                new javax.crypto.spec.GCMParameterSpec(128, iv));
        ByteBuffer aad = ByteBuffer.allocate(37).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        aad.putShort((short) 3).putShort((short) f.bufferFlags()).putInt(7).putLong(f.pts()).putLong(f.dts())
                .putLong(f.duration()).putInt(f.capsVersion()).put((byte) p.ordinal());
        gcm.updateAAD(aad.array());
        byte[] body = bytes(f.payload());
        byte[] expected = p == FrameSeal.Protection.ENCRYPTED ? gcm.doFinal(body) : concat(body, gcmTag(gcm, body));
        ByteBuffer want = ByteBuffer.allocate(8 + expected.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        want.putLong(1).put(expected).flip();
        assertEquals(want.remaining(), sealed.remaining());
        assertEquals(-1, want.mismatch(sealed), "the very bytes a 3.2 host seals");

        // A 3.2 frame opens where the session agreed on 3.2, and not where it agreed on segments (nor the reverse).
        BufferPool pool = new BufferPool(64 << 20, true);
        decoder(new FrameSeal(p, KEY, FrameSeal.WHOLE_FRAME), pool).feed(ByteBuffer.wrap(fragments(f, sealed,
                old.fragmentFlags())));
        assertEquals(1, delivered.size(), String.valueOf(ended));
        assertEquals(f.payload(), delivered.get(0).payload());
        decoder(p, pool).feed(ByteBuffer.wrap(fragments(f, sealed, old.fragmentFlags())));
        MediaFrame g = frame(3, 8, 2 * S + 11);
        decoder(new FrameSeal(p, KEY, FrameSeal.WHOLE_FRAME), pool).feed(ByteBuffer.wrap(wire(new FrameSeal(p, KEY),
                g)));
        assertEquals(1, delivered.size(), "neither mixed frame is delivered");
        assertEquals(2, ended.size());
    }

    @org.junit.jupiter.api.Test
    void shouldWarmUpAesGcmOnceInTheBackgroundThroughTheDataStreamsOwnCalls() throws Exception {
        new FrameSeal(FrameSeal.Protection.ENCRYPTED, KEY);
        new FrameSeal(FrameSeal.Protection.AUTHENTICATED, KEY);
        assertTrue(SealWarmUp.await(60_000), "the warm-up ends");
        assertTrue(SealWarmUp.allOpened(), "every warm-up frame opened to what was sealed");
        long warmUps = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("hopwire-seal-warm-up")).count();
        assertEquals(0, warmUps, "one warm-up per process, and it is over: no thread is left");
    }

    /** An authenticated-only tag: the body as additional data, nothing encrypted. */
    private static byte[] gcmTag(javax.crypto.Cipher gcm, byte[] body) throws Exception {
        gcm.updateAAD(body);
        return gcm.doFinal();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static boolean contains(byte[] hay, byte[] needle, int n) {
        outer:
        for (int i = 0; i + n <= hay.length; i++) {
            for (int j = 0; j < n; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
