package org.hopwire.engine.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The key derivations checked against published vectors, and what each value binds. */
class PairingCryptoTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] range(int from, int toInclusive) {
        byte[] b = new byte[toInclusive - from + 1];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    @Test
    void shouldMatchRfc5869TestCase1() {
        byte[] ikm = HEX.parseHex("0b".repeat(22));
        byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
        byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
        byte[] prk = PairingCrypto.hkdfExtract(salt, ikm);
        assertEquals("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", HEX.formatHex(prk));
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
                HEX.formatHex(PairingCrypto.hkdfExpand(prk, info, 42)));
    }

    @Test
    void shouldMatchRfc5869TestCase2WithLongInputsAndOutput() {
        byte[] prk = PairingCrypto.hkdfExtract(range(0x60, 0xaf), range(0x00, 0x4f));
        assertEquals("06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244", HEX.formatHex(prk));
        assertEquals("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
                + "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
                HEX.formatHex(PairingCrypto.hkdf(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82)));
    }

    @Test
    void shouldMatchRfc5869TestCase3WithEmptySaltAndInfo() {
        byte[] ikm = HEX.parseHex("0b".repeat(22));
        assertEquals("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                HEX.formatHex(PairingCrypto.hkdfExtract(new byte[0], ikm)));
        assertEquals("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
                HEX.formatHex(PairingCrypto.hkdf(ikm, new byte[0], new byte[0], 42)));
    }

    @Test
    void shouldRefuseAnOutputLongerThanHkdfAllows() {
        assertThrows(IllegalArgumentException.class, () -> PairingCrypto.hkdfExpand(new byte[32], new byte[0],
                255 * 32 + 1));
    }

    @Test
    void shouldGiveBothHostsTheSameKeyAndCodeOnlyForTheExactKeysExchanged() throws GeneralSecurityException {
        SecureRandom r = new SecureRandom();
        UUID a = UUID.fromString("00000000-0000-0000-0000-00000000000a");
        UUID b = UUID.fromString("00000000-0000-0000-0000-00000000000b");
        PairingCrypto.Ephemeral ea = PairingCrypto.newEphemeral(r);
        PairingCrypto.Ephemeral eb = PairingCrypto.newEphemeral(r);
        byte[] ka = PairingCrypto.pairingKey(ea, eb.publicKey(), eb.nonce(), a, b);
        byte[] kb = PairingCrypto.pairingKey(eb, ea.publicKey(), ea.nonce(), b, a);
        assertArrayEquals(ka, kb);
        assertEquals(PairingCrypto.verificationCode(ka), PairingCrypto.verificationCode(kb));
        // Another nonce gives another key (and so, but for 1 in 10^6, another code).
        byte[] otherNonce = eb.nonce();
        otherNonce[0] ^= 1;
        assertFalse(PairingCrypto.sameSecret(ka, PairingCrypto.pairingKey(ea, eb.publicKey(), otherNonce, a, b)));
        // A confirmation made for one key does not match another.
        byte[] other = ka.clone();
        other[5] ^= 1;
        assertFalse(PairingCrypto.sameSecret(PairingCrypto.confirmation(ka, a), PairingCrypto.confirmation(other, a)));
        assertFalse(PairingCrypto.sameSecret(PairingCrypto.confirmation(ka, a), PairingCrypto.confirmation(ka, b)),
                "a host's own confirmation cannot be reflected back as the peer's");
    }

    @Test
    void shouldRefuseASmallOrderPublicKey() {
        SecureRandom r = new SecureRandom();
        PairingCrypto.Ephemeral mine = PairingCrypto.newEphemeral(r);
        // The all-zero point has small order: X25519 with it is all zeros whatever the private key.
        assertThrows(GeneralSecurityException.class, () -> PairingCrypto.pairingKey(mine, new byte[32], new byte[32],
                UUID.randomUUID(), UUID.randomUUID()));
    }

    @Test
    void shouldCommitToNonceAndKeyAndHost() {
        byte[] nonce = new byte[32];
        byte[] key = new byte[32];
        UUID u = UUID.randomUUID();
        byte[] c = PairingCrypto.commitment(u, nonce, key);
        byte[] n2 = nonce.clone();
        n2[31] = 1;
        assertNotEquals(HEX.formatHex(c), HEX.formatHex(PairingCrypto.commitment(u, n2, key)));
        assertNotEquals(HEX.formatHex(c), HEX.formatHex(PairingCrypto.commitment(UUID.randomUUID(), nonce, key)));
    }

    @Test
    void shouldDeriveMirroredSessionKeysThatDifferPerDirectionAndSession() {
        UUID a = UUID.fromString("00000000-0000-0000-0000-00000000000a");
        UUID b = UUID.fromString("00000000-0000-0000-0000-00000000000b");
        byte[] k = new byte[32];
        byte[] ca = new byte[32];
        byte[] cb = new byte[32];
        cb[0] = 1;
        byte[] t = PairingCrypto.transcript(a, new byte[] {1}, b, new byte[] {2});
        assertArrayEquals(t, PairingCrypto.transcript(b, new byte[] {2}, a, new byte[] {1}), "same on both hosts");
        PairingCrypto.SessionKeys sa = PairingCrypto.sessionKeys(k, a, ca, b, cb, t);
        PairingCrypto.SessionKeys sb = PairingCrypto.sessionKeys(k, b, cb, a, ca, t);
        assertArrayEquals(sa.controlSend(), sb.controlReceive());
        assertArrayEquals(sa.dataSend(), sb.dataReceive());
        assertArrayEquals(sb.controlSend(), sa.controlReceive());
        assertFalse(PairingCrypto.sameSecret(sa.controlSend(), sa.controlReceive()), "one key per direction");
        assertFalse(PairingCrypto.sameSecret(sa.controlSend(), sa.dataSend()), "one key per purpose");
        byte[] next = ca.clone();
        next[1] = 9;
        assertFalse(PairingCrypto.sameSecret(sa.dataSend(), PairingCrypto.sessionKeys(k, a, next, b, cb, t)
                .dataSend()), "new challenges, new keys");
    }
}
