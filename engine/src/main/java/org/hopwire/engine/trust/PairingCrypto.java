package org.hopwire.engine.trust;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
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
 * The cryptography of pairing and authentication (docs/protocol.md, section 6): X25519 for a fresh shared secret,
 * HKDF-SHA256 for the pairing key, a 6-digit code people compare, and HMAC-SHA256 answers to challenges.
 */
public final class PairingCrypto {
    public static final int SECRET_BYTES = 32;
    /** X.509 SubjectPublicKeyInfo prefix of an X25519 key: the raw 32 bytes follow it. */
    private static final byte[] X25519_PREFIX = HexFormat.of().parseHex("302a300506032b656e032100");

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

    /** The pairing key both sides derive from the exchange; the same on both when nobody interfered. */
    public static byte[] pairingKey(Ephemeral mine, byte[] peerPublicKey, byte[] peerNonce, UUID local, UUID peer)
            throws GeneralSecurityException {
        byte[] encoded = new byte[X25519_PREFIX.length + SECRET_BYTES];
        System.arraycopy(X25519_PREFIX, 0, encoded, 0, X25519_PREFIX.length);
        System.arraycopy(peerPublicKey, 0, encoded, X25519_PREFIX.length, SECRET_BYTES);
        PublicKey theirs = KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(encoded));
        KeyAgreement agreement = KeyAgreement.getInstance("X25519");
        agreement.init(mine.keyPair.getPrivate());
        agreement.doPhase(theirs, true);
        byte[] secret = agreement.generateSecret();
        boolean localLower = lower(local, peer);
        byte[] salt = concat(localLower ? mine.nonce : peerNonce, localLower ? peerNonce : mine.nonce);
        byte[] info = concat("hopwire pairing 1".getBytes(StandardCharsets.US_ASCII),
                uuid(localLower ? local : peer), uuid(localLower ? peer : local));
        return hkdf(secret, salt, info);
    }

    /** The code both hosts show: six digits from the pairing key. */
    public static String verificationCode(byte[] pairingKey) {
        byte[] mac = hmac(pairingKey, "hopwire code".getBytes(StandardCharsets.US_ASCII));
        long n = ByteBuffer.wrap(mac, 0, 4).getInt() & 0xffff_ffffL;
        return String.format(Locale.ROOT, "%06d", n % 1_000_000);
    }

    /** The answer to a challenge: proves the responder holds the pairing key. */
    public static byte[] authResponse(byte[] pairingKey, UUID challenger, UUID responder, byte[] nonce) {
        return hmac(pairingKey, concat("hopwire auth 1".getBytes(StandardCharsets.US_ASCII), uuid(challenger),
                uuid(responder), nonce));
    }

    /** Compares without leaking where the first difference is. */
    public static boolean sameSecret(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    private static boolean lower(UUID a, UUID b) {
        return a.toString().toLowerCase(Locale.ROOT).compareTo(b.toString().toLowerCase(Locale.ROOT)) < 0;
    }

    static byte[] hkdf(byte[] secret, byte[] salt, byte[] info) {
        byte[] prk = hmac(salt, secret);
        return hmac(prk, concat(info, new byte[] {1}));
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
