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
                new ControlMessage.PairStart(secret, secret.clone()),
                new ControlMessage.PairConfirm(),
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
                new ControlMessage.Stop(3, ControlMessage.Stop.REVOKED),
                new ControlMessage.Pause(3, true),
                new ControlMessage.KeyframeRequest(3),
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
        assertEquals(20, sent.stream().map(ControlMessage::type).distinct().count(), "every type is covered");
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
}
