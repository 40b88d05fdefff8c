package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

import org.hopwire.engine.fabric.Errno;

/**
 * The errno of a failed system call, from the exception that carries it.
 *
 * <p>The seams report a {@link SyscallException} with the number. For plain Java file calls (reading sysfs), the JDK
 * chooses the exception class from the errno number, so the class is trusted; its message, translated into the
 * system's language, never is: anything else counts as {@link Errno#EIO}.
 */
final class Syscalls {
    private Syscalls() {
    }

    static Errno errno(IOException e) {
        if (e instanceof SyscallException s) {
            return s.errno();
        }
        if (e instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        }
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (e instanceof DirectoryNotEmptyException) {
            return Errno.ENOTEMPTY;
        }
        if (e instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        if (e instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        return Errno.EIO;
    }
}
