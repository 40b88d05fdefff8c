package org.hopwire.engine.trust;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;

import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cryptography of pairing and authentication (docs/protocol.md, section 6): a hash commitment, X25519 for a
 * fresh shared secret, HKDF-SHA256 (RFC 5869) for the pairing key and the session keys, a 6-digit code people
 * compare, and HMAC-SHA256 confirmations and answers to challenges.
 *
 * <p>Every derivation names the protocol version in its label, so a value made for one purpose or version can never
 * be replayed as another.
 */
public final class PairingCrypto {
    public static final int SECRET_BYTES = 32;
    /** The pairing generation this code makes; pairings stored by an older one are not trusted (section 6). */
    public static final int PAIRING_VERSION = 3;
    /** X.509 SubjectPublicKeyInfo prefix of an X25519 key: the raw 32 bytes follow it. */
    private static final byte[] X25519_PREFIX = HexFormat.of().parseHex("302a300506032b656e032100");
    private static final int HASH_BYTES = 32;

    private PairingCrypto() {
    }

    /** One side's contribution to a pairing: a key pair and a nonce, used once. */
    public static final class Ephemeral {
        private final KeyPair keyPair;
        private final byte[] nonce;

        private Ephemeral(KeyPair keyPair, byte[] nonce) {
            this.keyPair = keyPair;
            this.nonce = nonce;
        }

        /** The raw 32-byte X25519 public key, as {@code PAIR_START} carries it. */
        public byte[] publicKey() {
            byte[] encoded = keyPair.getPublic().getEncoded();
            return Arrays.copyOfRange(encoded, encoded.length - SECRET_BYTES, encoded.length);
        }

        public byte[] nonce() {
            return nonce.clone();
        }
    }

    public static Ephemeral newEphemeral(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
            g.initialize(255, random);
            return new Ephemeral(g.generateKeyPair(), nonce(random));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java has no X25519", e);
        }
    }

    public static byte[] nonce(SecureRandom random) {
        byte[] n = new byte[SECRET_BYTES];
        random.nextBytes(n);
        return n;
    }

    /**
     * The commitment the committing host sends before it has seen anything of the other's: it binds the host, its
     * nonce and its public key, so none of them can be chosen later.
     */
    public static byte[] commitment(UUID committer, byte[] nonce, byte[] publicKey) {
        return sha256(label("commit"), uuid(committer), nonce, publicKey);
    }

    /**
     * The pairing key both sides derive: the same on both only when each received the other's exact public key and
     * nonce. It binds the X25519 secret, both nonces, both public keys and both UUIDs, ordered by UUID.
     */
    public static byte[] pairingKey(Ephemeral mine, byte[] peerPublicKey, byte[] peerNonce, UUID local, UUID peer)
            throws GeneralSecurityException {
        if (peerPublicKey.length != SECRET_BYTES || peerNonce.length != SECRET_BYTES) {
            throw new GeneralSecurityException("a public key and a nonce have 32 bytes");
        }
        byte[] encoded = new byte[X25519_PREFIX.length + SECRET_BYTES];
        System.arraycopy(X25519_PREFIX, 0, encoded, 0, X25519_PREFIX.length);
        System.arraycopy(peerPublicKey, 0, encoded, X25519_PREFIX.length, SECRET_BYTES);
        PublicKey theirs = KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(encoded));
        KeyAgreement agreement = KeyAgreement.getInstance("X25519");
        agreement.init(mine.keyPair.getPrivate());
        agreement.doPhase(theirs, true);
        byte[] secret = agreement.generateSecret();
        if (MessageDigest.isEqual(secret, new byte[secret.length])) {
            // A small-order public key makes the secret all zeros whatever our key: nothing secret would remain.
            throw new GeneralSecurityException("the peer's public key is not usable (small order)");
        }
        boolean localLower = lower(local, peer);
        byte[] myKey = mine.publicKey();
        byte[] salt = concat(localLower ? mine.nonce : peerNonce, localLower ? peerNonce : mine.nonce);
        byte[] info = concat(label("pairing"), uuid(localLower ? local : peer), uuid(localLower ? peer : local),
                localLower ? myKey : peerPublicKey, localLower ? peerPublicKey : myKey);
        return hkdf(secret, salt, info, SECRET_BYTES);
    }

    /** The code both hosts show: six digits from the pairing key (and so from everything it binds). */
    public static String verificationCode(byte[] pairingKey) {
        byte[] mac = hmac(pairingKey, label("code"));
        long n = ByteBuffer.wrap(mac, 0, 4).getInt() & 0xffff_ffffL;
        return String.format(Locale.ROOT, "%06d", n % 1_000_000);
    }

    /**
     * What {@code PAIR_CONFIRM} carries: proof that the sender's person confirmed the code of this very pairing key,
     * so a confirmation cannot be carried over to other keys.
     */
    public static byte[] confirmation(byte[] pairingKey, UUID sender) {
        return hmac(pairingKey, concat(label("confirm"), uuid(sender)));
    }

    /**
     * The answer to a challenge: proves the responder holds the pairing key, for this challenge and for the two
     * {@code HELLO}s of this session ({@code transcript}), so nothing in them can be altered unseen.
     */
    public static byte[] authResponse(byte[] pairingKey, UUID challenger, UUID responder, byte[] nonce,
                                      byte[] transcript) {
        return hmac(pairingKey, concat(label("auth"), uuid(challenger), uuid(responder), nonce, transcript));
    }

    /** A hash of both hosts' {@code HELLO} bodies, the lower UUID's first: what authentication covers. */
    public static byte[] transcript(UUID local, byte[] localHello, UUID peer, byte[] peerHello) {
        boolean localLower = lower(local, peer);
        byte[] first = localLower ? localHello : peerHello;
        byte[] second = localLower ? peerHello : localHello;
        return sha256(label("transcript"), lengthPrefixed(first), lengthPrefixed(second));
    }

    /**
     * This session's keys, fresh each session: from the pairing key, both challenges and the transcript, one key per
     * direction and purpose.
     */
    public static SessionKeys sessionKeys(byte[] pairingKey, UUID local, byte[] localChallenge, UUID peer,
                                          byte[] peerChallenge, byte[] transcript) {
        boolean localLower = lower(local, peer);
        byte[] salt = concat(localLower ? localChallenge : peerChallenge, localLower ? peerChallenge : localChallenge);
        byte[] info = concat(label("session"), uuid(localLower ? local : peer), uuid(localLower ? peer : local),
                transcript);
        byte[] okm = hkdf(pairingKey, salt, info, 4 * SECRET_BYTES);
        // Order in the output: control lower->higher, control higher->lower, data lower->higher, data higher->lower.
        byte[] c0 = Arrays.copyOfRange(okm, 0, 32);
        byte[] c1 = Arrays.copyOfRange(okm, 32, 64);
        byte[] d0 = Arrays.copyOfRange(okm, 64, 96);
        byte[] d1 = Arrays.copyOfRange(okm, 96, 128);
        Arrays.fill(okm, (byte) 0);
        return localLower ? new SessionKeys(c0, c1, d0, d1) : new SessionKeys(c1, c0, d1, d0);
    }

    /**
     * Keys of one session, each for one direction and one purpose.
     *
     * @param controlSend     MACs of the control messages this host sends
     * @param controlReceive  MACs of the control messages the peer sends
     * @param dataSend        AES-GCM of the frames this host sends
     * @param dataReceive     AES-GCM of the frames the peer sends
     */
    public record SessionKeys(byte[] controlSend, byte[] controlReceive, byte[] dataSend, byte[] dataReceive) {
    }

    /** Compares without leaking where the first difference is. */
    public static boolean sameSecret(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** Whether {@code a} is the lower of two UUIDs, compared as lower-case text (as stream pairing does). */
    public static boolean lower(UUID a, UUID b) {
        return a.toString().toLowerCase(Locale.ROOT).compareTo(b.toString().toLowerCase(Locale.ROOT)) < 0;
    }

    /** HKDF-SHA256, RFC 5869: extract with {@code salt} (empty means 32 zero bytes), expand to {@code length}. */
    public static byte[] hkdf(byte[] ikm, byte[] salt, byte[] info, int length) {
        return hkdfExpand(hkdfExtract(salt, ikm), info, length);
    }

    /** HKDF-Extract (RFC 5869, 2.2). */
    public static byte[] hkdfExtract(byte[] salt, byte[] ikm) {
        return hmac(salt.length == 0 ? new byte[HASH_BYTES] : salt, ikm);
    }

    /** HKDF-Expand (RFC 5869, 2.3): T(1) | T(2) | ... cut to {@code length}, at most 255 blocks. */
    public static byte[] hkdfExpand(byte[] prk, byte[] info, int length) {
        if (length < 0 || length > 255 * HASH_BYTES) {
            throw new IllegalArgumentException("HKDF-SHA256 gives 0 to " + 255 * HASH_BYTES + " bytes");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            byte[] out = new byte[length];
            byte[] t = new byte[0];
            int done = 0;
            for (int i = 1; done < length; i++) {
                mac.update(t);
                mac.update(info);
                mac.update((byte) i);
                t = mac.doFinal();
                int n = Math.min(t.length, length - done);
                System.arraycopy(t, 0, out, done, n);
                done += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java has no HmacSHA256", e);
        }
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java has no HmacSHA256", e);
        }
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                d.update(p);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    private static byte[] label(String purpose) {
        return ("hopwire " + purpose + " " + PAIRING_VERSION).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] lengthPrefixed(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 4);
        out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static byte[] uuid(UUID u) {
        return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits())
                .array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
