package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import org.hopwire.engine.fabric.Errno;

/** Recovers the errno from the exception Java made of a failed system call. */
final class Syscalls {
    private Syscalls() {
    }

    static Errno errno(IOException e) {
        if (e instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        }
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (e instanceof DirectoryNotEmptyException) {
            return Errno.ENOTEMPTY;
        }
        String text = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : e.getMessage();
        return Errno.fromMessage(text).orElse(e instanceof AccessDeniedException ? Errno.EACCES : Errno.EIO);
    }
}
