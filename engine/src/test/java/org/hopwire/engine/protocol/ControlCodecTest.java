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
                                1))), new ControlMessage.Device("mic0", ControlMessage.Device.AUDIO, "Mic", List.of()),
                        new ControlMessage.Device("cam1", ControlMessage.Device.VIDEO, "Webcam", List.of(format),
                                List.of(BRIGHTNESS, new ControlMessage.Control("focus_automatic_continuous",
                                        ControlMessage.Control.BOOLEAN, 0, 1, 1, 1, 0),
                                        new ControlMessage.Control("exposure_time_absolute",
                                                ControlMessage.Control.INTEGER, Long.MIN_VALUE, Long.MAX_VALUE, 1,
                                                156, 156))))),
                new ControlMessage.BorrowRequest(0xffff_ffffL, "cam0", "video/x-raw,format=NV12"),
                new ControlMessage.LendOffer(7, "cam0"),
                new ControlMessage.Consent(7, ControlMessage.Consent.ALLOW_ALWAYS),
                new ControlMessage.Caps(255, 7, 2, "image/jpeg,width=1280,height=720"),
                new ControlMessage.Caps(4, 8, 1, "audio/x-raw,format=S16LE,rate=48000,channels=2", 255),
                new ControlMessage.Catalog(List.of(new ControlMessage.Device("card0",
                        ControlMessage.Device.AUDIO_VIDEO, "Capture card", List.of(format,
                                new ControlMessage.Format("audio/x-raw", "S16LE", 0, 0, 48000, 1))))),
                new ControlMessage.Start(3),
                new ControlMessage.Stop(3, ControlMessage.Stop.REVOKED, ControlMessage.Stop.SENDER_LENDS),
                new ControlMessage.Pause(3, true),
                new ControlMessage.KeyframeRequest(3),
                new ControlMessage.FormatRequest(0xffff_ffffL, 255, "image/jpeg,width=1280,height=720,framerate=30/1"),
                new ControlMessage.Heartbeat(41, Long.MIN_VALUE),
                new ControlMessage.HeartbeatAck(41, Long.MAX_VALUE),
                new ControlMessage.Stats(3, 1, Long.MAX_VALUE, 0, 1500, 4_000_000_000L),
                new ControlMessage.ErrorReport(ProtocolError.DEVICE_BUSY, "camera in use by another program"),
                new ControlMessage.Goodbye(ControlMessage.Goodbye.SHUTTING_DOWN),
                new ControlMessage.ControlSet(255, 0xffff_ffffL, "brightness", Long.MIN_VALUE),
                new ControlMessage.ControlState(3, 0, "zoom_absolute", Long.MAX_VALUE,
                        ControlMessage.ControlState.REFUSED),
                new ControlMessage.ControlAccess(3, ControlMessage.ControlAccess.ASK, "asked at the first change"));
    }

    static final ControlMessage.Control BRIGHTNESS = new ControlMessage.Control("brightness",
            ControlMessage.Control.INTEGER, -100, 100, 1, 0, 25);

    static ByteBuffer concat(List<ControlMessage> messages) {
        WireWriter w = new WireWriter(256);
        messages.forEach(m -> ControlCodec.encode(m, w));
        return w.toBuffer();
    }

    @Test
    void shouldRoundTripEveryMessageTypeWhateverTheReadsCut() throws Exception {
        List<ControlMessage> sent = everyType();
        assertEquals(25, sent.stream().map(ControlMessage::type).distinct().count(), "every type is covered");
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
    void shouldWriteControlsAfterEverythingA30ReaderReadsOfTheCatalog() throws Exception {
        var plain = new ControlMessage.Device("cam0", ControlMessage.Device.VIDEO, "Camera", List.of(
                new ControlMessage.Format("video/x-raw", "YUY2", 640, 480, 30, 1)));
        var withControls = new ControlMessage.Device(plain.id(), plain.kind(), plain.name(), plain.formats(),
                List.of(BRIGHTNESS));
        ByteBuffer v30 = ControlCodec.encode(new ControlMessage.Catalog(List.of(plain)));
        ByteBuffer v31 = ControlCodec.encode(new ControlMessage.Catalog(List.of(withControls)));
        // A 3.0 reader reads the devices and skips the rest (section 2): its part is byte for byte what 3.0 wrote.
        int v30Body = v30.remaining() - ControlCodec.HEADER_LENGTH;
        assertEquals(v30.slice(ControlCodec.HEADER_LENGTH, v30Body), v31.slice(ControlCodec.HEADER_LENGTH, v30Body));
        assertTrue(v31.remaining() > v30.remaining());
        List<ControlMessage> got = new ArrayList<>();
        new ControlCodec.Decoder().feed(v31, got::add);
        assertEquals(List.of(BRIGHTNESS), ((ControlMessage.Catalog) got.get(0)).devices().get(0).controls());
        assertEquals(v30, ControlCodec.encode(new ControlMessage.Catalog(List.of(plain))),
                "a catalog without controls is written as 3.0 wrote it");
    }

    /** A catalog of one device without formats, followed by a controls section written by {@code section}. */
    private static ByteBuffer catalogWith(java.util.function.Consumer<WireWriter> section) {
        WireWriter body = new WireWriter(64);
        body.u16(1).string("cam0").u8(1).string("Camera").u16(0);
        section.accept(body);
        ByteBuffer b = body.toBuffer();
        byte[] raw = new byte[b.remaining()];
        b.get(raw);
        WireWriter w = new WireWriter(64);
        ControlCodec.encodeRaw(ControlMessage.CATALOG, raw, w, null);
        return w.toBuffer();
    }

    private static void control(WireWriter w, String name, int kind, long min, long max, long step) {
        w.string(name).u8(kind).i64(min).i64(max).i64(step).i64(0).i64(0);
    }

    @Test
    void shouldRefuseControlsOutsideTheirBounds() {
        java.util.Map<String, java.util.function.Consumer<WireWriter>> bad = new java.util.LinkedHashMap<>();
        bad.put("a device that is not there", w -> w.u16(1).u16(5).u16(0));
        bad.put("more devices than listed", w -> w.u16(2).u16(0).u16(0).u16(0).u16(0));
        bad.put("too many controls", w -> w.u16(1).u16(0).u16(ControlMessage.MAX_CONTROLS + 1));
        bad.put("a name with capitals", w -> {
            w.u16(1).u16(0).u16(1);
            control(w, "Brightness", 1, 0, 1, 1);
        });
        bad.put("a name with a control character", w -> {
            w.u16(1).u16(0).u16(1);
            control(w, "bright\nness", 1, 0, 1, 1);
        });
        bad.put("an empty name", w -> {
            w.u16(1).u16(0).u16(1);
            control(w, "", 1, 0, 1, 1);
        });
        bad.put("an unknown kind", w -> {
            w.u16(1).u16(0).u16(1);
            control(w, "brightness", 9, 0, 1, 1);
        });
        bad.put("a range upside down", w -> {
            w.u16(1).u16(0).u16(1);
            control(w, "brightness", 1, 5, 1, 1);
        });
        bad.put("a step of zero", w -> {
            w.u16(1).u16(0).u16(1);
            control(w, "brightness", 1, 0, 10, 0);
        });
        bad.put("a switch with a range", w -> {
            w.u16(1).u16(0).u16(1);
            control(w, "auto", ControlMessage.Control.BOOLEAN, 0, 5, 1);
        });
        bad.put("a control twice", w -> {
            w.u16(1).u16(0).u16(2);
            control(w, "hue", 1, 0, 1, 1);
            control(w, "hue", 1, 0, 1, 1);
        });
        bad.put("a section cut short", w -> w.u16(1).u16(0).u16(1).string("hue"));
        bad.forEach((what, section) -> {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> new ControlCodec.Decoder().feed(catalogWith(section), m -> { }), what);
            assertEquals(ProtocolError.MALFORMED, e.error(), what);
        });
    }

    @Test
    void shouldClampAControlsValueIntoItsRangeAndOntoItsStep() throws Exception {
        var zoom = new ControlMessage.Control("zoom_absolute", ControlMessage.Control.INTEGER, 100, 500, 10, 100,
                100);
        assertEquals(100, zoom.clamp(Long.MIN_VALUE));
        assertEquals(500, zoom.clamp(Long.MAX_VALUE));
        assertEquals(230, zoom.clamp(234));
        assertEquals(240, zoom.clamp(235));
        var odd = new ControlMessage.Control("odd", ControlMessage.Control.INTEGER, 0, 25, 10, 0, 0);
        assertEquals(20, odd.clamp(25), "the top of the range when it is not on a step: the last step below");
        // A peer's catalog with a value outside the range is read with the value clamped, not refused.
        ByteBuffer wild = catalogWith(w -> {
            w.u16(1).u16(0).u16(1);
            w.string("hue").u8(1).i64(-10).i64(10).i64(1).i64(99).i64(-99);
        });
        List<ControlMessage> got = new ArrayList<>();
        new ControlCodec.Decoder().feed(wild, got::add);
        var hue = ((ControlMessage.Catalog) got.get(0)).devices().get(0).controls().get(0);
        assertEquals(10, hue.defaultValue());
        assertEquals(-10, hue.value());
    }

    @Test
    void shouldRefuseControlMessagesWithBadNamesStatusesOrAccess() {
        WireWriter name = new WireWriter(64);
        name.u16(1).u32(1).string("../etc").i64(1);
        WireWriter status = new WireWriter(64);
        status.u16(1).u32(1).string("hue").i64(1).u8(9);
        WireWriter access = new WireWriter(64);
        access.u16(1).u8(0).string("");
        int[] types = {ControlMessage.CONTROL_SET, ControlMessage.CONTROL_STATE, ControlMessage.CONTROL_ACCESS};
        WireWriter[] bodies = {name, status, access};
        for (int i = 0; i < types.length; i++) {
            ByteBuffer b = bodies[i].toBuffer();
            byte[] raw = new byte[b.remaining()];
            b.get(raw);
            WireWriter w = new WireWriter(64);
            ControlCodec.encodeRaw(types[i], raw, w, null);
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> new ControlCodec.Decoder().feed(w.toBuffer(), m -> { }), "type " + types[i]);
            assertEquals(ProtocolError.MALFORMED, e.error());
        }
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
            ControlMessage.PAUSE, ControlMessage.KEYFRAME_REQUEST, ControlMessage.STATS, ControlMessage.CONTROL_SET,
            ControlMessage.CONTROL_STATE, ControlMessage.CONTROL_ACCESS}) {
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
    void shouldWriteASingleChannelsCapsAs31DidAndAGroupedOnesPartnerAfterIt() throws Exception {
        ByteBuffer single = ControlCodec.encode(new ControlMessage.Caps(3, 7, 1, "audio/x-raw"));
        ByteBuffer grouped = ControlCodec.encode(new ControlMessage.Caps(3, 7, 1, "audio/x-raw", 4));
        // header 8, channel 2, request 4, version 4, string 2 + 11: what a 3.1 reader reads, nothing more
        assertEquals(8 + 2 + 4 + 4 + 2 + 11, single.remaining());
        assertEquals(single.remaining() + 2, grouped.remaining(), "the partner is appended, where 3.1 skips it");
        assertEquals(single.slice(8, single.remaining() - 8), grouped.slice(8, single.remaining() - 8),
                "a 3.1 reader reads the same fields from both");
        List<ControlMessage> got = new ArrayList<>();
        new ControlCodec.Decoder().feed(grouped, got::add);
        assertEquals(List.of(new ControlMessage.Caps(3, 7, 1, "audio/x-raw", 4)), got);
        assertTrue(((ControlMessage.Caps) got.get(0)).grouped());
    }

    @Test
    void shouldRefuseAPartnerChannelOutsideTheRangeOrTheChannelItself() {
        for (int partner : new int[] {256, 3, 0xFFFE, 0x8000}) {
            WireWriter w = new WireWriter(64);
            w.u8('H').u8('C').u16(ControlMessage.CAPS).u32(2 + 4 + 4 + 2 + 1 + 2).u16(3).u32(7).u32(1).string("x")
                    .u16(partner);
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> new ControlCodec.Decoder().feed(w.toBuffer(), m -> { }), "partner " + partner);
            assertEquals(ProtocolError.MALFORMED, e.error());
            assertTrue(e.getMessage().contains("other half"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new ControlMessage.Caps(3, 7, 1, "x", 3),
                "this host never writes one either");
        assertThrows(IllegalArgumentException.class, () -> new ControlMessage.Caps(3, 7, 1, "x", 256));
    }

    @Test
    void shouldReadNoPartnerFromACapsWithOneTrailingByteOrTheNoneValue() throws Exception {
        WireWriter w = new WireWriter(64);
        w.u8('H').u8('C').u16(ControlMessage.CAPS).u32(2 + 4 + 4 + 2 + 1 + 1).u16(3).u32(7).u32(1).string("x").u8(9);
        w.u8('H').u8('C').u16(ControlMessage.CAPS).u32(2 + 4 + 4 + 2 + 1 + 2).u16(3).u32(7).u32(1).string("x")
                .u16(ControlMessage.Caps.NO_PARTNER);
        List<ControlMessage> got = new ArrayList<>();
        new ControlCodec.Decoder().feed(w.toBuffer(), got::add);
        assertEquals(List.of(new ControlMessage.Caps(3, 7, 1, "x"), new ControlMessage.Caps(3, 7, 1, "x")), got);
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
