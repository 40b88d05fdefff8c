package org.hopwire.engine.fabric.emulated;

/**
 * The driver's parse of a ConfigFS group name, {@code sscanf(name, "%u-%llx.%u")}: lenient, as {@code sscanf} is.
 * Leading blanks, a {@code 0x} before the route, upper-case hex and anything after the service index pass; only a
 * group named exactly as a service device ever attaches, which {@link EmulatedHost} decides.
 */
final class ServiceNames {
    private ServiceNames() {
    }

    /** {domain, route, service index}, or null where {@code sscanf} would not fill all three (EINVAL). */
    static long[] parse(String name) {
        Cursor c = new Cursor(name);
        long domain = c.number(10);
        if (domain < 0 || !c.literal('-')) {
            return null;
        }
        c.blanks();
        if (c.peek() == '0' && (c.peek(1) == 'x' || c.peek(1) == 'X') && Character.digit(c.peek(2), 16) >= 0) {
            c.pos += 2;
        }
        long route = c.digits(16);
        if (route < 0 || !c.literal('.')) {
            return null;
        }
        long index = c.number(10);
        return index < 0 ? null : new long[] {domain, route, index};
    }

    private static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        char peek() {
            return peek(0);
        }

        char peek(int ahead) {
            return pos + ahead < s.length() ? s.charAt(pos + ahead) : '\0';
        }

        void blanks() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean literal(char ch) {
            if (peek() != ch) {
                return false;
            }
            pos++;
            return true;
        }

        /** An unsigned number after optional blanks, as {@code %u} reads it; -1 when there is none. */
        long number(int radix) {
            blanks();
            return digits(radix);
        }

        long digits(int radix) {
            int start = pos;
            long v = 0;
            while (pos < s.length() && Character.digit(s.charAt(pos), radix) >= 0) {
                // Saturates instead of wrapping: a number that large names no domain or route either way.
                v = v > Long.MAX_VALUE / radix ? Long.MAX_VALUE : v * radix + Character.digit(s.charAt(pos), radix);
                pos++;
            }
            return pos == start ? -1 : v;
        }
    }
}
