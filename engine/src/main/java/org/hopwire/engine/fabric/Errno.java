package org.hopwire.engine.fabric;

import java.util.Locale;
import java.util.Optional;

/**
 * The Linux error numbers the USB4STREAM driver answers with, and the text {@code strerror(3)} gives for each.
 *
 * <p>Java reports a failed system call as an {@link java.io.IOException} whose message (or
 * {@link java.nio.file.FileSystemException#getReason() reason}) is that text, so the kernel adapter maps it back here.
 */
public enum Errno {
    EPERM("Operation not permitted"),
    ENOENT("No such file or directory"),
    EIO("Input/output error"),
    ENXIO("No such device or address"),
    EACCES("Permission denied"),
    EBUSY("Device or resource busy"),
    EEXIST("File exists"),
    ENODEV("No such device"),
    EINVAL("Invalid argument"),
    ENOSPC("No space left on device"),
    ENAMETOOLONG("File name too long"),
    ENOTEMPTY("Directory not empty"),
    ETIMEDOUT("Connection timed out");

    private final String text;

    Errno(String text) {
        this.text = text;
    }

    /** The text glibc's {@code strerror} gives for this error. */
    public String text() {
        return text;
    }

    /** Finds the error whose strerror text a message ends with, e.g. {@code "/dev/tbstream0: No such device or address"}. */
    public static Optional<Errno> fromMessage(String message) {
        if (message == null) {
            return Optional.empty();
        }
        String lower = message.toLowerCase(Locale.ROOT).trim();
        Errno best = null;
        for (Errno errno : values()) {
            String t = errno.text.toLowerCase(Locale.ROOT);
            // "No such device" is a prefix of "No such device or address": prefer the longest match.
            if (lower.contains(t) && (best == null || t.length() > best.text.length())) {
                best = errno;
            }
        }
        return Optional.ofNullable(best);
    }
}
