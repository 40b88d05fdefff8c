package org.hopwire.engine.helper;

import java.util.Set;
import java.util.regex.Pattern;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.Usb4Stream;

/**
 * One request line of the privileged helper's protocol, parsed and validated; or why it is refused, as the errno the
 * helper answers with. See {@code docs/privileged-helper.md} for the protocol.
 *
 * <p>Nothing here trusts the line: every word is checked against the driver's form before any system call is made.
 */
public sealed interface HelperRequest {
    /** The longest request line taken, newline excluded; the longest valid one is about 80 bytes. */
    int MAX_LINE_BYTES = 256;

    /**
     * The largest HopID the helper lets through: HopIDs are 11-bit fields of a USB4 adapter's configuration space.
     * The driver applies the real limit (the lane adapter's for in HopIDs, the peer's {@code maxhopid} for out
     * HopIDs); this bound only keeps absurd numbers away from the kernel.
     */
    int MAX_HOPID_FIELD = 2047;

    /** The attributes of a stream directory the helper writes; {@code index} is read-only and never written. */
    Set<String> ATTRIBUTES = Set.of("in_hopid", "out_hopid", "ring_size", "throttling");

    /** {@code mkdir SERVICE}. */
    record MkdirGroup(String service) implements HelperRequest {
    }

    /** {@code rmdir SERVICE}. */
    record RmdirGroup(String service) implements HelperRequest {
    }

    /** {@code mkdir SERVICE NAME}. */
    record MkdirStream(String service, String name) implements HelperRequest {
    }

    /** {@code rmdir SERVICE NAME}. */
    record RmdirStream(String service, String name) implements HelperRequest {
    }

    /** {@code write SERVICE NAME ATTRIBUTE VALUE}. */
    record Write(String service, String name, String attribute, String value) implements HelperRequest {
    }

    /** {@code load} (v4l2loopback mode). */
    record Load() implements HelperRequest {
    }

    /** A request refused before any system call: the errno answered and a line for the helper's stderr. */
    record Refused(Errno errno, String why) implements HelperRequest {
    }

    /**
     * A service group the driver attaches: {@code <domain>-<route>.<index>} as the service device is named in sysfs,
     * decimal domain and index without leading zeros, the route in lowercase hex without leading zeros. The driver
     * itself parses more leniently, but a group named any other way never attaches to anything.
     */
    Pattern SERVICE = Pattern.compile("(0|[1-9][0-9]{0,9})-(0|[1-9a-f][0-9a-f]{0,15})\\.(0|[1-9][0-9]{0,9})");

    /** Stream names: letters, digits, {@code -} and {@code _}; no {@code .} or {@code /}, so never a path. */
    Pattern NAME_ALPHABET = Pattern.compile("[A-Za-z0-9_-]+");

    /** A decimal integer as Hopwire writes it: an optional minus, no plus, no leading zeros. */
    Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");

    /** Parses a line of the {@code configfs} mode (without its newline; bytes already checked as printable ASCII). */
    static HelperRequest parseConfigFs(String line) {
        String[] w = words(line);
        if (w == null) {
            return new Refused(Errno.EBADMSG, "not a request: words must be separated by single spaces");
        }
        switch (w[0]) {
            case "mkdir", "rmdir" -> {
                if (w.length != 2 && w.length != 3) {
                    return new Refused(Errno.EBADMSG, w[0] + " takes a service and an optional stream name");
                }
                Refused bad = checkService(w[1]);
                if (bad == null && w.length == 3) {
                    bad = checkName(w[2]);
                }
                if (bad != null) {
                    return bad;
                }
                if (w.length == 2) {
                    return w[0].equals("mkdir") ? new MkdirGroup(w[1]) : new RmdirGroup(w[1]);
                }
                return w[0].equals("mkdir") ? new MkdirStream(w[1], w[2]) : new RmdirStream(w[1], w[2]);
            }
            case "write" -> {
                if (w.length != 5) {
                    return new Refused(Errno.EBADMSG, "write takes a service, a stream name, an attribute and a value");
                }
                Refused bad = checkService(w[1]);
                if (bad == null) {
                    bad = checkName(w[2]);
                }
                if (bad == null) {
                    bad = checkValue(w[3], w[4]);
                }
                return bad != null ? bad : new Write(w[1], w[2], w[3], w[4]);
            }
            default -> {
                return new Refused(Errno.ENOSYS, "unknown command (configfs mode takes mkdir, rmdir and write)");
            }
        }
    }

    /** Parses a line of the {@code v4l2loopback} mode: only {@code load}. */
    static HelperRequest parseV4l2Loopback(String line) {
        String[] w = words(line);
        if (w == null) {
            return new Refused(Errno.EBADMSG, "not a request: words must be separated by single spaces");
        }
        if (!w[0].equals("load")) {
            return new Refused(Errno.ENOSYS, "unknown command (v4l2loopback mode takes only load)");
        }
        return w.length == 1 ? new Load() : new Refused(Errno.EBADMSG, "load takes no arguments");
    }

    /** The words of a line split at single spaces, or null if it is empty or has empty words. */
    private static String[] words(String line) {
        if (line.isEmpty()) {
            return null;
        }
        String[] w = line.split(" ", -1);
        for (String word : w) {
            if (word.isEmpty()) {
                return null;
            }
        }
        return w;
    }

    private static Refused checkService(String service) {
        if (!SERVICE.matcher(service).matches()) {
            return new Refused(Errno.EINVAL, "not a USB4STREAM service name of the form <domain>-<route>.<index>");
        }
        int dash = service.indexOf('-');
        int dot = service.lastIndexOf('.');
        if (Long.parseLong(service.substring(0, dash)) > 0xFFFF_FFFFL
                || Long.parseLong(service.substring(dot + 1)) > 0xFFFF_FFFFL) {
            return new Refused(Errno.EINVAL, "service name with a number beyond 32 bits");
        }
        return null;
    }

    private static Refused checkName(String name) {
        if (!NAME_ALPHABET.matcher(name).matches()) {
            return new Refused(Errno.EINVAL, "stream names take letters, digits, '-' and '_' only");
        }
        if (name.length() > Usb4Stream.MAX_STREAM_NAME_LENGTH) {
            return new Refused(Errno.ENAMETOOLONG, "stream names have at most "
                    + Usb4Stream.MAX_STREAM_NAME_LENGTH + " characters");
        }
        return null;
    }

    private static Refused checkValue(String attribute, String value) {
        if (!ATTRIBUTES.contains(attribute)) {
            return new Refused(Errno.EPERM, "the helper writes only " + String.join(", ", ATTRIBUTES.stream()
                    .sorted().toList()));
        }
        if (!INTEGER.matcher(value).matches()) {
            return new Refused(Errno.EINVAL, attribute + " takes a decimal integer");
        }
        // kstrtoint/kstrtouint: a number too large for the type is ERANGE, as the driver answers.
        boolean signed = attribute.endsWith("_hopid");
        long max = signed ? Integer.MAX_VALUE : 0xFFFF_FFFFL;
        long min = signed ? Integer.MIN_VALUE : 0;
        long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException tooLong) {
            return new Refused(Errno.ERANGE, attribute + " out of the driver's number range");
        }
        if (v > max || v < min) {
            return new Refused(v < 0 && !signed ? Errno.EINVAL : Errno.ERANGE, attribute
                    + " out of the driver's number range");
        }
        boolean ok = switch (attribute) {
            case "in_hopid", "out_hopid" -> v == Usb4Stream.HOPID_AUTO || v == Usb4Stream.HOPID_UNSET
                    || (v >= Usb4Stream.MIN_HOPID && v <= MAX_HOPID_FIELD);
            case "ring_size" -> v >= Usb4Stream.MIN_RING_SIZE && v <= Usb4Stream.MAX_RING_SIZE;
            default -> v >= Usb4Stream.MIN_THROTTLING_NS && v <= Usb4Stream.MAX_THROTTLING_NS;
        };
        return ok ? null : new Refused(Errno.EINVAL, attribute + " " + value + " is outside the driver's range");
    }
}
