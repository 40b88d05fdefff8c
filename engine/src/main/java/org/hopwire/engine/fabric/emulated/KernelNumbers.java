package org.hopwire.engine.fabric.emulated;

import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.Problems;
import org.hopwire.engine.fabric.StreamAddress;

/**
 * The kernel's {@code kstrtoint}/{@code kstrtouint} in base 10, as the driver parses attribute writes: one trailing
 * newline is allowed, anything else that is not a number is EINVAL, and a number that does not fit is ERANGE.
 */
final class KernelNumbers {
    private KernelNumbers() {
    }

    static long parse(StreamAddress address, String attribute, String text, boolean signed) throws FabricException {
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        int i = 0;
        boolean negative = false;
        if (i < t.length() && (t.charAt(i) == '+' || (signed && t.charAt(i) == '-'))) {
            negative = t.charAt(i) == '-';
            i++;
        }
        if (i == t.length()) {
            throw garbage(address, attribute, text);
        }
        long v = 0;
        boolean overflow = false;
        for (; i < t.length(); i++) {
            int digit = Character.digit(t.charAt(i), 10);
            if (digit < 0 || t.charAt(i) > '9') {
                throw garbage(address, attribute, text);
            }
            if (!overflow) {
                v = v * 10 + digit;
                overflow = v > (signed ? (negative ? 1L << 31 : Integer.MAX_VALUE) : 0xFFFF_FFFFL);
            }
        }
        if (overflow) {
            throw Problems.overflow(address, attribute, text.strip());
        }
        return negative ? -v : v;
    }

    private static FabricException garbage(StreamAddress address, String attribute, String text) {
        return new org.hopwire.engine.fabric.InvalidArgumentException(attribute + " of " + address + " cannot be '"
                + text.strip() + "': it takes a decimal number");
    }
}
