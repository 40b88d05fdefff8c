package org.hopwire.engine.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The messages of the control stream, one record per type, each writing and reading its own body as
 * docs/protocol.md, section 4, lays it out.
 */
public sealed interface ControlMessage {
    /** The type number on the wire. */
    int type();

    /** Writes the body (not the header). */
    void writeBody(WireWriter w);

    int HELLO = 1;
    int PAIR_START = 2;
    int PAIR_CONFIRM = 3;
    int PAIR_REJECT = 4;
    int AUTH_CHALLENGE = 5;
    int AUTH_RESPONSE = 6;
    int CATALOG = 7;
    int BORROW_REQUEST = 8;
    int LEND_OFFER = 9;
    int CONSENT = 10;
    int CAPS = 11;
    int START = 12;
    int STOP = 13;
    int PAUSE = 14;
    int KEYFRAME_REQUEST = 15;
    int HEARTBEAT = 16;
    int HEARTBEAT_ACK = 17;
    int STATS = 18;
    int ERROR = 19;
    int GOODBYE = 20;
    int PAIR_COMMIT = 21;
    int FORMAT_REQUEST = 22;
    /** 3.1: a borrower asks for a change of a lent device's control. */
    int CONTROL_SET = 23;
    /** 3.1: the owner says what a control is set to (confirmed, refused, or changed on its own side). */
    int CONTROL_STATE = 24;
    /** 3.1: the owner says whether the borrower may change a lent channel's controls. */
    int CONTROL_ACCESS = 25;

    /** Nonces, X25519 public keys and HMAC-SHA256 values are 32 bytes. */
    int SECRET_BYTES = 32;

    /** Texts for people (errors, reasons) are cut to this many bytes of UTF-8, so quoting a peer never overflows. */
    int MAX_TEXT_BYTES = 1024;

    /** Reads a channel id: 0 to 255, anything else is malformed (docs/protocol.md, section 4). */
    static int readChannel(WireReader r) throws ProtocolException {
        int ch = r.u16();
        if (ch >= DataStreamDecoder.MAX_CHANNELS) {
            throw new ProtocolException(ProtocolError.MALFORMED, "channel id " + ch + " is over "
                    + (DataStreamDecoder.MAX_CHANNELS - 1));
        }
        return ch;
    }

    /**
     * First message on both sides: who this host is and what it speaks. {@code capabilities} bits 0-1 hold the
     * data-stream protection this host wants (0 none, 1 authenticated, 2 encrypted); the stronger of the two applies.
     */
    record Hello(int major, int minor, UUID host, String hostName, String appVersion, long capabilities)
            implements ControlMessage {
        public Hello {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(hostName, "hostName");
            Objects.requireNonNull(appVersion, "appVersion");
        }

        @Override
        public int type() {
            return HELLO;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(major).u16(minor).uuid(host).string(hostName).string(appVersion).u32(capabilities);
        }

        static Hello read(WireReader r) throws ProtocolException {
            return new Hello(r.u16(), r.u16(), r.uuid(), r.string(), r.string(), r.u32());
        }
    }

    /**
     * The committing host's first pairing message: a hash binding its nonce and public key, sent before it has seen
     * anything of the other host's (docs/protocol.md, 6.1).
     */
    record PairCommit(byte[] commitment) implements ControlMessage {
        @Override
        public int type() {
            return PAIR_COMMIT;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.bytes(commitment);
        }

        static PairCommit read(WireReader r) throws ProtocolException {
            return new PairCommit(r.bytes(SECRET_BYTES));
        }
    }

    /** A host's pairing values, a fresh nonce and X25519 public key: the responder's answer, the committer's reveal. */
    record PairStart(byte[] nonce, byte[] publicKey) implements ControlMessage {
        @Override
        public int type() {
            return PAIR_START;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.bytes(nonce).bytes(publicKey);
        }

        static PairStart read(WireReader r) throws ProtocolException {
            return new PairStart(r.bytes(SECRET_BYTES), r.bytes(SECRET_BYTES));
        }
    }

    /** The person confirmed the verification code; {@code confirmation} proves it was this pairing key's code. */
    record PairConfirm(byte[] confirmation) implements ControlMessage {
        @Override
        public int type() {
            return PAIR_CONFIRM;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.bytes(confirmation);
        }

        static PairConfirm read(WireReader r) throws ProtocolException {
            return new PairConfirm(r.bytes(SECRET_BYTES));
        }
    }

    /** The person rejected pairing. */
    record PairReject(String reason) implements ControlMessage {
        public PairReject {
            reason = WireWriter.fit(reason, MAX_TEXT_BYTES);
        }

        @Override
        public int type() {
            return PAIR_REJECT;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.string(reason);
        }

        static PairReject read(WireReader r) throws ProtocolException {
            return new PairReject(r.string());
        }
    }

    /** A paired peer must prove it holds the pairing key. */
    record AuthChallenge(byte[] nonce) implements ControlMessage {
        @Override
        public int type() {
            return AUTH_CHALLENGE;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.bytes(nonce);
        }

        static AuthChallenge read(WireReader r) throws ProtocolException {
            return new AuthChallenge(r.bytes(SECRET_BYTES));
        }
    }

    /** The proof: HMAC-SHA256 over the challenge. */
    record AuthResponse(byte[] mac) implements ControlMessage {
        @Override
        public int type() {
            return AUTH_RESPONSE;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.bytes(mac);
        }

        static AuthResponse read(WireReader r) throws ProtocolException {
            return new AuthResponse(r.bytes(SECRET_BYTES));
        }
    }

    /** One format a device offers. */
    record Format(String mediaType, String format, int width, int height, int fpsNumerator, int fpsDenominator) {
    }

    /** One device a host offers; {@code controls} are what a borrower may adjust (3.1; empty from a 3.0 peer). */
    record Device(String id, int kind, String name, List<Format> formats, List<Control> controls) {
        public static final int VIDEO = 1;
        public static final int AUDIO = 2;
        /**
         * 3.2: pictures and sound together (a capture card), lent as one borrow over two channels that start, stop,
         * pause and fail together (docs/protocol.md, 7.2). Its formats list both kinds; only a 3.2 peer sees it.
         */
        public static final int AUDIO_VIDEO = 3;

        public Device {
            formats = List.copyOf(formats);
            controls = List.copyOf(controls);
        }

        /** A device without controls. */
        public Device(String id, int kind, String name, List<Format> formats) {
            this(id, kind, name, formats, List.of());
        }

        /** The control of that name, if the device has it. */
        public java.util.Optional<Control> control(String controlName) {
            return controls.stream().filter(c -> c.name().equals(controlName)).findFirst();
        }
    }

    /** Controls a device may list, at most. A camera has a few dozen V4L2 controls at most. */
    int MAX_CONTROLS = 64;
    /** A control's name is at most this many bytes of {@code [a-z0-9_]}: safe to show and to log. */
    int MAX_CONTROL_NAME = 48;

    /** Reads a control's name: 1 to 48 characters of {@code [a-z0-9_]}, anything else is malformed. */
    static String readControlName(WireReader r) throws ProtocolException {
        String name = r.string();
        if (!Control.validName(name)) {
            throw new ProtocolException(ProtocolError.MALFORMED, "a control name must be 1 to " + MAX_CONTROL_NAME
                    + " characters of a-z, 0-9 and _; got " + name.length() + " characters");
        }
        return name;
    }

    /**
     * One adjustable setting of a device (docs/protocol.md, 4.1): its name ({@code brightness}, or a V4L2 control's
     * name as {@code v4l2-ctl} prints it), its kind, its range and step, its default and its value now.
     */
    record Control(String name, int kind, long min, long max, long step, long defaultValue, long value) {
        /** A number in a range: a slider. */
        public static final int INTEGER = 1;
        /** 0 or 1: a switch. */
        public static final int BOOLEAN = 2;
        /** One of the numbers in the range (a V4L2 menu): a slider with the menu's steps. */
        public static final int MENU = 3;

        public Control {
            Objects.requireNonNull(name, "name");
        }

        static boolean validName(String name) {
            if (name.isEmpty() || name.length() > MAX_CONTROL_NAME) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                char ch = name.charAt(i);
                if (!(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '_')) {
                    return false;
                }
            }
            return true;
        }

        /** The nearest value this control can take: inside the range, on a step from the minimum. */
        public long clamp(long v) {
            long c = Math.max(min, Math.min(max, v));
            if (step > 1) {
                long offset = Math.floorDiv(c - min + step / 2, step) * step;
                c = min + offset;
                if (c > max) {
                    c -= step;
                }
            }
            return c;
        }

        /** The same control at another value (clamped). */
        public Control withValue(long v) {
            return new Control(name, kind, min, max, step, defaultValue, clamp(v));
        }

        void write(WireWriter w) {
            w.string(name).u8(kind).i64(min).i64(max).i64(step).i64(defaultValue).i64(value);
        }

        static Control read(WireReader r) throws ProtocolException {
            String name = readControlName(r);
            int kind = r.u8();
            long min = r.i64();
            long max = r.i64();
            long step = r.i64();
            long def = r.i64();
            long value = r.i64();
            if (kind < INTEGER || kind > MENU || min > max || step < 1 || (kind == BOOLEAN && (min != 0 || max != 1))) {
                throw new ProtocolException(ProtocolError.MALFORMED, "control " + name + " has kind " + kind
                        + ", range " + min + ".." + max + " and step " + step + ": not a control this protocol knows");
            }
            Control c = new Control(name, kind, min, max, step, def, 0);
            // A value or default outside the range would put a slider off its track: clamped, not trusted.
            return new Control(name, kind, min, max, step, c.clamp(def), c.clamp(value));
        }
    }

    /** The devices a host offers. */
    record Catalog(List<Device> devices) implements ControlMessage {
        public Catalog {
            devices = List.copyOf(devices);
        }

        @Override
        public int type() {
            return CATALOG;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(devices.size());
            for (Device d : devices) {
                w.string(d.id()).u8(d.kind()).string(d.name()).u16(d.formats().size());
                for (Format f : d.formats()) {
                    w.string(f.mediaType()).string(f.format()).u16(f.width()).u16(f.height()).u16(f.fpsNumerator())
                            .u16(f.fpsDenominator());
                }
            }
            // 3.1: the devices' controls follow the devices, where a 3.0 reader skips them as trailing bytes. A
            // catalog without controls is written exactly as 3.0 wrote it.
            int withControls = (int) devices.stream().filter(d -> !d.controls().isEmpty()).count();
            if (withControls > 0) {
                w.u16(withControls);
                for (int i = 0; i < devices.size(); i++) {
                    List<Control> cs = devices.get(i).controls();
                    if (!cs.isEmpty()) {
                        w.u16(i).u16(cs.size());
                        cs.forEach(c -> c.write(w));
                    }
                }
            }
        }

        static Catalog read(WireReader r) throws ProtocolException {
            int count = r.u16();
            // No list is sized from a count the peer chose: each entry must be read before it takes room.
            List<Device> devices = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String id = r.string();
                int kind = r.u8();
                String name = r.string();
                int formatCount = r.u16();
                List<Format> formats = new ArrayList<>();
                for (int j = 0; j < formatCount; j++) {
                    formats.add(new Format(r.string(), r.string(), r.u16(), r.u16(), r.u16(), r.u16()));
                }
                devices.add(new Device(id, kind, name, formats));
            }
            if (r.remaining() > 0) {
                readControls(r, devices);
            }
            return new Catalog(devices);
        }

        /** The 3.1 section: {@code u16 entries}, each {@code u16 device index}, {@code u16 count}, the controls. */
        private static void readControls(WireReader r, List<Device> devices) throws ProtocolException {
            int entries = r.u16();
            if (entries > devices.size()) {
                throw new ProtocolException(ProtocolError.MALFORMED, "the catalog lists controls of " + entries
                        + " devices but has " + devices.size());
            }
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int i = 0; i < entries; i++) {
                int index = r.u16();
                int count = r.u16();
                if (index >= devices.size() || !seen.add(index) || count > MAX_CONTROLS) {
                    throw new ProtocolException(ProtocolError.MALFORMED, "the catalog's controls name device "
                            + index + " (of " + devices.size() + ") with " + count + " controls; at most "
                            + MAX_CONTROLS + " per device, once each");
                }
                List<Control> controls = new ArrayList<>();
                java.util.Set<String> names = new java.util.HashSet<>();
                for (int j = 0; j < count; j++) {
                    Control c = Control.read(r);
                    if (!names.add(c.name())) {
                        throw new ProtocolException(ProtocolError.MALFORMED, "the catalog lists control " + c.name()
                                + " twice for one device");
                    }
                    controls.add(c);
                }
                Device d = devices.get(index);
                devices.set(index, new Device(d.id(), d.kind(), d.name(), d.formats(), controls));
            }
        }
    }

    /** The borrower asks for a device. */
    record BorrowRequest(long requestId, String deviceId, String preferredCaps) implements ControlMessage {
        @Override
        public int type() {
            return BORROW_REQUEST;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u32(requestId).string(deviceId).string(preferredCaps);
        }

        static BorrowRequest read(WireReader r) throws ProtocolException {
            return new BorrowRequest(r.u32(), r.string(), r.string());
        }
    }

    /** The owner offers a device. */
    record LendOffer(long requestId, String deviceId) implements ControlMessage {
        @Override
        public int type() {
            return LEND_OFFER;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u32(requestId).string(deviceId);
        }

        static LendOffer read(WireReader r) throws ProtocolException {
            return new LendOffer(r.u32(), r.string());
        }
    }

    /** The answer to a request or an offer. */
    record Consent(long requestId, int answer) implements ControlMessage {
        public static final int ALLOW_ONCE = 1;
        public static final int ALLOW_ALWAYS = 2;
        public static final int DENY = 3;

        @Override
        public int type() {
            return CONSENT;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u32(requestId).u8(answer);
        }

        static Consent read(WireReader r) throws ProtocolException {
            return new Consent(r.u32(), r.u8());
        }
    }

    /**
     * A channel's media type, set up or renegotiated. {@code partner} (3.2) is the other channel of a two-channel lend
     * (a capture card's pictures and sound, docs/protocol.md, 7.2), {@link #NO_PARTNER} for a lend of one channel; it
     * is written only when there is one, so a single channel's CAPS is what 3.1 wrote.
     */
    record Caps(int channel, long requestId, long capsVersion, String caps, int partner) implements ControlMessage {
        /** No other channel: a lend of one channel. */
        public static final int NO_PARTNER = 0xFFFF;

        public Caps {
            if (partner != NO_PARTNER && (partner < 0 || partner >= DataStreamDecoder.MAX_CHANNELS
                    || partner == channel)) {
                throw new IllegalArgumentException("partner channel " + partner + " of channel " + channel);
            }
        }

        /** A lend of one channel. */
        public Caps(int channel, long requestId, long capsVersion, String caps) {
            this(channel, requestId, capsVersion, caps, NO_PARTNER);
        }

        /** True when this channel is one half of a two-channel lend. */
        public boolean grouped() {
            return partner != NO_PARTNER;
        }

        @Override
        public int type() {
            return CAPS;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(channel).u32(requestId).u32(capsVersion).string(caps);
            if (partner != NO_PARTNER) {
                w.u16(partner);
            }
        }

        static Caps read(WireReader r) throws ProtocolException {
            int channel = readChannel(r);
            long requestId = r.u32();
            long version = r.u32();
            String caps = r.string();
            int partner = NO_PARTNER;
            if (r.remaining() >= 2) {
                // 3.2: the other half of a two-channel lend. A channel id, never the channel itself.
                partner = r.u16();
                if (partner != NO_PARTNER && (partner >= DataStreamDecoder.MAX_CHANNELS || partner == channel)) {
                    throw new ProtocolException(ProtocolError.MALFORMED, "channel " + channel + " names channel "
                            + partner + " as its other half; a channel id 0 to "
                            + (DataStreamDecoder.MAX_CHANNELS - 1) + " other than its own, or none (65535)");
                }
            }
            return new Caps(channel, requestId, version, caps, partner);
        }
    }

    /**
     * The borrower asks the owner to send a borrowed channel in another format (since 3.1). The owner answers with
     * {@code CAPS} carrying this request id, or refuses with {@code ERROR} and {@code CONSENT} deny for it; the
     * channel goes on as it was then.
     */
    record FormatRequest(long requestId, int channel, String preferredCaps) implements ControlMessage {
        /**
         * The longest caps text asked for, in bytes: a wish names a media type, a size and a rate ("image/jpeg,
         * width=1920,height=1080,framerate=30/1" is 50 bytes), so 256 leaves room and no more.
         */
        public static final int MAX_CAPS_BYTES = 256;

        public FormatRequest {
            Objects.requireNonNull(preferredCaps, "preferredCaps");
        }

        @Override
        public int type() {
            return FORMAT_REQUEST;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u32(requestId).u16(channel).string(preferredCaps);
        }

        static FormatRequest read(WireReader r) throws ProtocolException {
            return new FormatRequest(r.u32(), readChannel(r), r.string());
        }
    }

    /** Frames of a channel follow. */
    record Start(int channel) implements ControlMessage {
        @Override
        public int type() {
            return START;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(channel);
        }

        static Start read(WireReader r) throws ProtocolException {
            return new Start(readChannel(r));
        }
    }

    /**
     * A channel ends: returned, revoked, device gone or error. Each owner numbers its own lends, so the same number
     * can be a lend in one direction and a borrow in the other: {@code side} says which of the sender's channels ends.
     */
    record Stop(int channel, int reason, int side) implements ControlMessage {
        public static final int RETURNED = 1;
        public static final int REVOKED = 2;
        public static final int DEVICE_GONE = 3;
        public static final int FAILED = 4;
        /** The sender lends this channel (the owner stops it). */
        public static final int SENDER_LENDS = 1;
        /** The sender borrows this channel (the borrower gives it back or it failed there). */
        public static final int SENDER_BORROWS = 2;

        @Override
        public int type() {
            return STOP;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(channel).u16(reason).u8(side);
        }

        static Stop read(WireReader r) throws ProtocolException {
            Stop s = new Stop(readChannel(r), r.u16(), r.u8());
            if (s.side != SENDER_LENDS && s.side != SENDER_BORROWS) {
                throw new ProtocolException(ProtocolError.MALFORMED, "STOP names side " + s.side
                        + "; 1 (a lend) or 2 (a borrow) is due");
            }
            return s;
        }
    }

    /** The borrower pauses or resumes a channel. */
    record Pause(int channel, boolean paused) implements ControlMessage {
        @Override
        public int type() {
            return PAUSE;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(channel).u8(paused ? 1 : 0);
        }

        static Pause read(WireReader r) throws ProtocolException {
            return new Pause(readChannel(r), r.u8() != 0);
        }
    }

    /** The borrower needs a key frame (it joined late or lost one). */
    record KeyframeRequest(int channel) implements ControlMessage {
        @Override
        public int type() {
            return KEYFRAME_REQUEST;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(channel);
        }

        static KeyframeRequest read(WireReader r) throws ProtocolException {
            return new KeyframeRequest(readChannel(r));
        }
    }

    /** Sent every 500 ms; the answer gives the round-trip time. */
    record Heartbeat(long sequence, long sentNs) implements ControlMessage {
        @Override
        public int type() {
            return HEARTBEAT;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u32(sequence).i64(sentNs);
        }

        static Heartbeat read(WireReader r) throws ProtocolException {
            return new Heartbeat(r.u32(), r.i64());
        }
    }

    /** Echoes a heartbeat. */
    record HeartbeatAck(long sequence, long echoedSentNs) implements ControlMessage {
        @Override
        public int type() {
            return HEARTBEAT_ACK;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u32(sequence).i64(echoedSentNs);
        }

        static HeartbeatAck read(WireReader r) throws ProtocolException {
            return new HeartbeatAck(r.u32(), r.i64());
        }
    }

    /** A channel's counters, every second. */
    record Stats(int channel, long frames, long bytes, long drops, long latencyP50Us, long latencyP99Us)
            implements ControlMessage {
        @Override
        public int type() {
            return STATS;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(channel).i64(frames).i64(bytes).i64(drops).u32(latencyP50Us).u32(latencyP99Us);
        }

        static Stats read(WireReader r) throws ProtocolException {
            return new Stats(readChannel(r), r.i64(), r.i64(), r.i64(), r.u32(), r.u32());
        }
    }

    /** Something went wrong; the text is for people. */
    record ErrorReport(ProtocolError error, String text) implements ControlMessage {
        public ErrorReport {
            Objects.requireNonNull(error, "error");
            text = WireWriter.fit(text, MAX_TEXT_BYTES);
        }

        @Override
        public int type() {
            return ERROR;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(error.code()).string(text);
        }

        static ErrorReport read(WireReader r) throws ProtocolException {
            return new ErrorReport(ProtocolError.of(r.u16()), r.string());
        }
    }

    /** The last message of a session. */
    record Goodbye(int reason) implements ControlMessage {
        public static final int SHUTTING_DOWN = 1;
        public static final int INCOMPATIBLE_VERSION = 2;
        public static final int PAIRING_REJECTED = 3;
        public static final int AUTH_FAILED = 4;
        public static final int PROTOCOL_ERROR = 5;

        @Override
        public int type() {
            return GOODBYE;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(reason);
        }

        static Goodbye read(WireReader r) throws ProtocolException {
            return new Goodbye(r.u16());
        }
    }

    /**
     * 3.1, borrower to owner: set a control of a lent channel's device. The owner applies the latest of a burst (at
     * most one change per control every 20 ms) and answers with {@link ControlState}.
     */
    record ControlSet(int channel, long requestId, String control, long value) implements ControlMessage {
        public ControlSet {
            Objects.requireNonNull(control, "control");
        }

        @Override
        public int type() {
            return CONTROL_SET;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(channel).u32(requestId).string(control).i64(value);
        }

        static ControlSet read(WireReader r) throws ProtocolException {
            return new ControlSet(readChannel(r), r.u32(), readControlName(r), r.i64());
        }
    }

    /**
     * 3.1, owner to borrower: what a control of a lent channel is set to now. {@code requestId} names the borrower's
     * request this answers (and every earlier one for this control), 0 for none.
     */
    record ControlState(int channel, long requestId, String control, long value, int status)
            implements ControlMessage {
        /** The borrower's change, applied: {@code value} is what the device took. */
        public static final int APPLIED = 1;
        /** Changed on the owner's side (its person, or the value in force when the lend began). */
        public static final int OWNER = 2;
        /** The borrower's change was refused (no permission, or the device failed); {@code value} is unchanged. */
        public static final int REFUSED = 3;

        public ControlState {
            Objects.requireNonNull(control, "control");
        }

        @Override
        public int type() {
            return CONTROL_STATE;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(channel).u32(requestId).string(control).i64(value).u8(status);
        }

        static ControlState read(WireReader r) throws ProtocolException {
            ControlState s = new ControlState(readChannel(r), r.u32(), readControlName(r), r.i64(), r.u8());
            if (s.status < APPLIED || s.status > REFUSED) {
                throw new ProtocolException(ProtocolError.MALFORMED, "CONTROL_STATE has status " + s.status
                        + "; 1 to 3 are defined");
            }
            return s;
        }
    }

    /** 3.1, owner to borrower: whether the borrower may change the controls of a lent channel, and why not. */
    record ControlAccess(int channel, int access, String reason) implements ControlMessage {
        /** Changes are applied. */
        public static final int ALLOWED = 1;
        /** The owner's person is asked at the first change; the answer holds for this borrow. */
        public static final int ASK = 2;
        /** Changes are refused; {@code reason} says why. */
        public static final int REFUSED = 3;

        public ControlAccess {
            reason = WireWriter.fit(reason, MAX_TEXT_BYTES);
        }

        @Override
        public int type() {
            return CONTROL_ACCESS;
        }

        @Override
        public void writeBody(WireWriter w) {
            w.u16(channel).u8(access).string(reason);
        }

        static ControlAccess read(WireReader r) throws ProtocolException {
            ControlAccess a = new ControlAccess(readChannel(r), r.u8(), r.string());
            if (a.access < ALLOWED || a.access > REFUSED) {
                throw new ProtocolException(ProtocolError.MALFORMED, "CONTROL_ACCESS has access " + a.access
                        + "; 1 to 3 are defined");
            }
            return a;
        }
    }
}
