package org.hopwire.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class ControlCodecTest {
    /** One message of every type, with values at the edges of their fields. */
    static List<ControlMessage> everyType() {
        byte[] secret = new byte[ControlMessage.SECRET_BYTES];
        new Random(5).nextBytes(secret);
        var format = new ControlMessage.Format("video/x-raw", "NV12", 1920, 1080, 60, 1);
        return List.of(
                new ControlMessage.Hello(1, 0, UUID.randomUUID(), "studio — ünïcode", "0.1.0", 0xffff_ffffL),
                new ControlMessage.PairCommit(secret),
                new ControlMessage.PairStart(secret, secret.clone()),
                new ControlMessage.PairConfirm(secret.clone()),
                new ControlMessage.PairReject("code did not match"),
                new ControlMessage.AuthChallenge(secret),
                new ControlMessage.AuthResponse(secret),
                new ControlMessage.Catalog(List.of(new ControlMessage.Device("cam0", ControlMessage.Device.VIDEO,
                        "Test camera", List.of(format, new ControlMessage.Format("image/jpeg", "", 3840, 2160, 30,
                                1))), new ControlMessage.Device("mic0", ControlMessage.Device.AUDIO, "Mic", List.of()))),
                new ControlMessage.BorrowRequest(0xffff_ffffL, "cam0", "video/x-raw,format=NV12"),
                new ControlMessage.LendOffer(7, "cam0"),
                new ControlMessage.Consent(7, ControlMessage.Consent.ALLOW_ALWAYS),
                new ControlMessage.Caps(255, 7, 2, "image/jpeg,width=1280,height=720"),
                new ControlMessage.Start(3),
                new ControlMessage.Stop(3, ControlMessage.Stop.REVOKED, ControlMessage.Stop.SENDER_LENDS),
                new ControlMessage.Pause(3, true),
                new ControlMessage.KeyframeRequest(3),
                new ControlMessage.FormatRequest(0xffff_ffffL, 255, "image/jpeg,width=1280,height=720,framerate=30/1"),
                new ControlMessage.Heartbeat(41, Long.MIN_VALUE),
                new ControlMessage.HeartbeatAck(41, Long.MAX_VALUE),
                new ControlMessage.Stats(3, 1, Long.MAX_VALUE, 0, 1500, 4_000_000_000L),
                new ControlMessage.ErrorReport(ProtocolError.DEVICE_BUSY, "camera in use by another program"),
                new ControlMessage.Goodbye(ControlMessage.Goodbye.SHUTTING_DOWN));
    }

    static ByteBuffer concat(List<ControlMessage> messages) {
        WireWriter w = new WireWriter(256);
        messages.forEach(m -> ControlCodec.encode(m, w));
        return w.toBuffer();
    }

    @Test
    void shouldRoundTripEveryMessageTypeWhateverTheReadsCut() throws Exception {
        List<ControlMessage> sent = everyType();
        assertEquals(22, sent.stream().map(ControlMessage::type).distinct().count(), "every type is covered");
        ByteBuffer bytes = concat(sent);
        List<ControlMessage> got = new ArrayList<>();
        ControlCodec.Decoder d = new ControlCodec.Decoder();
        Random random = new Random(2);
        while (bytes.hasRemaining()) {
            int n = Math.min(bytes.remaining(), 1 + random.nextInt(13));
            d.feed(bytes.slice(bytes.position(), n), got::add);
            bytes.position(bytes.position() + n);
        }
        assertEquals(sent.size(), got.size());
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(ControlCodec.encode(sent.get(i)), ControlCodec.encode(got.get(i)), sent.get(i).toString());
            assertEquals(sent.get(i).getClass(), got.get(i).getClass());
        }
        var hello = (ControlMessage.Hello) got.get(0);
        assertEquals("studio — ünïcode", hello.hostName());
    }

    @Test
    void shouldSkipMessagesOfUnknownTypesAndReadTheNext() throws Exception {
        WireWriter w = new WireWriter(64);
        w.u8('H').u8('C').u16(999).u32(5).u8(1).u8(2).u8(3).u8(4).u8(5);
        ControlCodec.encode(new ControlMessage.Start(9), w);
        List<ControlMessage> got = new ArrayList<>();
        ControlCodec.Decoder d = new ControlCodec.Decoder();
        d.feed(w.toBuffer(), got::add);
        assertEquals(List.of(new ControlMessage.Start(9)), got);
        assertEquals(1, d.skipped());
    }

    @Test
    void shouldIgnoreFieldsANewerMinorVersionAppends() throws Exception {
        WireWriter w = new WireWriter(64);
        w.u8('H').u8('C').u16(ControlMessage.START).u32(2 + 4).u16(9).u32(0xdeadbeefL);
        List<ControlMessage> got = new ArrayList<>();
        new ControlCodec.Decoder().feed(w.toBuffer(), got::add);
        assertEquals(List.of(new ControlMessage.Start(9)), got);
    }

    @Test
    void shouldRefuseBodiesOverTheLimitWithoutAllocatingThem() {
        WireWriter w = new WireWriter(16);
        w.u8('H').u8('C').u16(ControlMessage.CATALOG).u32(0xffff_fff0L);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> new ControlCodec.Decoder().feed(w.toBuffer(), m -> { }));
        assertTrue(e.getMessage().contains("at most"), e.getMessage());
    }

    @Test
    void shouldRefuseTruncatedBodiesAndBadStrings() {
        WireWriter w = new WireWriter(16);
        w.u8('H').u8('C').u16(ControlMessage.HELLO).u32(3).u8(1).u8(0).u8(0);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> new ControlCodec.Decoder().feed(w.toBuffer(), m -> { }));
        assertEquals(ProtocolError.MALFORMED, e.error());
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());

        WireWriter bad = new WireWriter(16);
        bad.u8('H').u8('C').u16(ControlMessage.PAIR_REJECT).u32(4).u16(2).u8(0xc3).u8(0x28);
        assertInstanceOf(ProtocolException.class, assertThrows(ProtocolException.class,
                () -> new ControlCodec.Decoder().feed(bad.toBuffer(), m -> { })));
    }

    @Test
    void shouldRefuseSecretsOfTheWrongLength() {
        WireWriter w = new WireWriter(16);
        w.u8('H').u8('C').u16(ControlMessage.AUTH_CHALLENGE).u32(2 + 3).u16(3).u8(1).u8(2).u8(3);
        assertThrows(ProtocolException.class, () -> new ControlCodec.Decoder().feed(w.toBuffer(), m -> { }));
    }

    @Test
    void shouldRefuseAFormatRequestForAChannelOutsideTheRangeAsMalformed() {
        WireWriter w = new WireWriter(64);
        w.u8('H').u8('C').u16(ControlMessage.FORMAT_REQUEST).u32(4 + 2 + 2).u32(1).u16(256).u16(0);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> new ControlCodec.Decoder().feed(w.toBuffer(), m -> { }));
        assertEquals(ProtocolError.MALFORMED, e.error());
        assertTrue(e.getMessage().contains("channel id 256"), e.getMessage());
    }

    @Test
    void shouldAcceptWellFormedFormatWishesAndSayWhatIsWrongWithOthers() {
        for (String ok : List.of("", "video/x-raw", "image/jpeg,width=1280,height=720,framerate=30/1",
                "video/x-raw, format=(string)NV12, width=(int)640")) {
            assertEquals(java.util.Optional.empty(), CapsWish.problem(ok), ok);
        }
        assertTrue(CapsWish.problem("x".repeat(257)).orElseThrow().contains("at most 256"));
        assertTrue(CapsWish.problem("video/x-raw,width=12\n").orElseThrow().contains("printable"));
        assertTrue(CapsWish.problem("video/x-raw\0").orElseThrow().contains("printable"));
        assertTrue(CapsWish.problem("video/x-raw,width=<b>").orElseThrow().contains("name=value"));
        assertTrue(CapsWish.problem("raw please").orElseThrow().contains("media type"));
        assertTrue(CapsWish.problem("video/x-raw;image/jpeg").orElseThrow().contains("media type"));
        assertTrue(CapsWish.problem("vidéo/x-raw").orElseThrow().contains("printable"));
    }

    @Test
    void shouldRefuseChannelIdsOutsideTheRangeAsMalformed() {
        for (int type : new int[] {ControlMessage.CAPS, ControlMessage.START, ControlMessage.STOP,
            ControlMessage.PAUSE, ControlMessage.KEYFRAME_REQUEST, ControlMessage.STATS}) {
            WireWriter w = new WireWriter(64);
            w.u8('H').u8('C').u16(type).u32(48).u16(256);
            for (int i = 0; i < 46; i++) {
                w.u8(1);
            }
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> new ControlCodec.Decoder().feed(w.toBuffer(), m -> { }), "type " + type);
            assertEquals(ProtocolError.MALFORMED, e.error());
            assertTrue(e.getMessage().contains("channel id 256"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseAStopThatDoesNotSayWhoseChannelItEnds() {
        WireWriter w = new WireWriter(16);
        w.u8('H').u8('C').u16(ControlMessage.STOP).u32(5).u16(1).u16(2).u8(0);
        assertThrows(ProtocolException.class, () -> new ControlCodec.Decoder().feed(w.toBuffer(), m -> { }));
    }

    @Test
    void shouldCutTextsThatQuoteAPeerSoTheyAlwaysFitTheirField() {
        String huge = "\u00e9".repeat(5000);
        ControlMessage.ErrorReport e = new ControlMessage.ErrorReport(ProtocolError.DEVICE_GONE, "no device " + huge);
        assertTrue(e.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= ControlMessage.MAX_TEXT_BYTES);
        assertTrue(e.text().endsWith("\u2026"), "says it was cut");
        // Encodes without throwing, and whole characters only (it decodes as UTF-8).
        ControlMessage back = decodeOne(ControlCodec.encode(e));
        assertEquals(e, back);
        assertEquals("short", WireWriter.fit("short", 10));
    }

    private static ControlMessage decodeOne(ByteBuffer b) {
        List<ControlMessage> got = new ArrayList<>();
        try {
            new ControlCodec.Decoder().feed(b, got::add);
        } catch (ProtocolException x) {
            throw new AssertionError(x);
        }
        return got.get(0);
    }

    @Test
    void shouldCarrySealedMessagesAndRefuseAnyThatWasAlteredInjectedReplayedOrDropped() throws Exception {
        byte[] key = new byte[32];
        new Random(9).nextBytes(key);
        List<ControlMessage> sent = List.of(new ControlMessage.BorrowRequest(1, "cam0", ""),
                new ControlMessage.Consent(1, ControlMessage.Consent.ALLOW_ONCE), new ControlMessage.Start(2));
        WireWriter w = new WireWriter(64);
        ControlSeal out = new ControlSeal(key);
        List<ByteBuffer> each = new ArrayList<>();
        for (ControlMessage m : sent) {
            int from = w.position();
            ControlCodec.encode(m, w, out);
            each.add(ByteBuffer.wrap(bytes(w.region(from, w.position()))));
        }
        List<ControlMessage> got = new ArrayList<>();
        ControlCodec.Decoder d = new ControlCodec.Decoder();
        d.expectSealed(new ControlSeal(key));
        d.feed(w.toBuffer(), got::add);
        assertEquals(sent, got);

        // Altered: one bit of the device id.
        byte[] altered = bytes(each.get(0).duplicate());
        altered[ControlCodec.HEADER_LENGTH + 6] ^= 1;
        assertAuthFails(key, List.of(ByteBuffer.wrap(altered)));
        // Injected: an unsealed message where sealed ones are due.
        assertAuthFails(key, List.of(ControlCodec.encode(new ControlMessage.BorrowRequest(1, "cam0", ""))));
        // Replayed: the first message twice.
        assertAuthFails(key, List.of(each.get(0).duplicate(), each.get(0).duplicate()));
        // Dropped: the second message missing, the third arrives in its place.
        assertAuthFails(key, List.of(each.get(0).duplicate(), each.get(2).duplicate()));
        // Sealed under another key (the other direction's, say).
        byte[] other = key.clone();
        other[0] ^= 1;
        WireWriter w2 = new WireWriter(64);
        ControlCodec.encode(sent.get(0), w2, new ControlSeal(other));
        assertAuthFails(key, List.of(w2.toBuffer()));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    private static void assertAuthFails(byte[] key, List<ByteBuffer> stream) {
        ControlCodec.Decoder d = new ControlCodec.Decoder();
        d.expectSealed(new ControlSeal(key));
        List<ControlMessage> got = new ArrayList<>();
        ProtocolException e = assertThrows(ProtocolException.class, () -> {
            for (ByteBuffer b : stream) {
                d.feed(b, got::add);
            }
        });
        assertEquals(ProtocolError.AUTH_FAILED, e.error(), e.getMessage());
        assertTrue(got.size() < stream.size(), "the bad message was not handed on");
    }
}
