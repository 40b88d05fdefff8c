package org.hopwire.engine.emulator.fuse;

import java.io.IOException;
import java.util.List;

/**
 * A file system served by {@link FuseServer}, by path ({@code /} is the mount's top, {@code /a/b} below it). Calls
 * come on the server's threads; those that may wait (see {@link #opensSlowly}, {@link FuseFile#slow}) on a worker of
 * their own, which an interrupted caller interrupts: they then throw {@link java.io.InterruptedIOException}.
 * Failures are {@link FuseError}s carrying the errno the caller gets.
 */
public interface FuseFs {
    int S_IFDIR = 0040000;
    int S_IFREG = 0100000;

    /** What {@code stat(2)} shows. */
    record Attr(int mode, int uid, int gid, long size) {
        public boolean isDirectory() {
            return (mode & 0170000) == S_IFDIR;
        }
    }

    /** The attributes of a path; ENOENT when there is nothing there. */
    Attr stat(String path) throws FuseError;

    /**
     * How many seconds the kernel may keep a path's entry and attributes without asking again: 0 (the default) for
     * what can change at any time; more for folders that never go away, which spares a lookup per folder of every
     * path the caller walks.
     */
    default int stableSeconds(String path) {
        return 0;
    }

    /** A directory's entries, without . and ... */
    List<String> list(String path) throws FuseError;

    /** Whether opening this path may wait (it then runs on a worker). */
    boolean opensSlowly(String path);

    /** Opens a file; {@code flags} are open(2)'s, {@code uid} the caller's. */
    FuseFile open(String path, int flags, int uid) throws IOException;

    void mkdir(String path, int mode, int uid) throws FuseError;

    void rmdir(String path, int uid) throws FuseError;

    /** A chmod, chown or truncate: each argument null when not asked for. */
    void setattr(String path, Integer mode, Integer uid, Integer gid, Long size) throws FuseError;
}
