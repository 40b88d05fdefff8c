package org.hopwire.engine.fabric;

import java.util.Optional;

/**
 * The Linux error numbers the USB4STREAM driver and the file system calls around it answer with.
 *
 * <p>An errno travels as its number, from the system call to here: never as the text {@code strerror(3)} makes of
 * it, because that text is translated into the system's language (under {@code de_DE.UTF-8} EBUSY reads "Das Gerät
 * oder die Ressource ist belegt"). {@link #text()} is the English text, for messages and logs only. The numbers are
 * those of Linux's generic {@code asm-generic/errno-base.h} and {@code errno.h}, the same on x86-64 and AArch64.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    ENXIO(6, "No such device or address"),
    ENOEXEC(8, "Exec format error"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    ENODEV(19, "No such device"),
    ENOTDIR(20, "Not a directory"),
    EISDIR(21, "Is a directory"),
    EINVAL(22, "Invalid argument"),
    ENOSPC(28, "No space left on device"),
    EROFS(30, "Read-only file system"),
    ERANGE(34, "Numerical result out of range"),
    ENAMETOOLONG(36, "File name too long"),
    ENOSYS(38, "Function not implemented"),
    ENOTEMPTY(39, "Directory not empty"),
    ELOOP(40, "Too many levels of symbolic links"),
    EBADMSG(74, "Bad message"),
    EMSGSIZE(90, "Message too long"),
    ETIMEDOUT(110, "Connection timed out");

    private final int number;
    private final String text;

    Errno(int number, String text) {
        this.number = number;
        this.text = text;
    }

    /** The number the system call set {@code errno} to. */
    public int number() {
        return number;
    }

    /** The English text glibc's {@code strerror} gives for this error in the C locale; for people, never parsed. */
    public String text() {
        return text;
    }

    /** The error of a number, if it is one this project names. */
    public static Optional<Errno> of(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
