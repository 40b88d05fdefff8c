package org.hopwire.engine.protocol;

import java.util.Random;

/** Lets fuzz tests in other packages use the decoders' mutations. */
public final class DecoderFuzzAccess {
    private DecoderFuzzAccess() {
    }

    public static byte[] mutate(byte[] seed, Random random) {
        return DecoderFuzzTest.mutate(seed, random, false);
    }
}
