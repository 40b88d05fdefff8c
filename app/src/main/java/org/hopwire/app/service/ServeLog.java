package org.hopwire.app.service;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The service's log: one line per event on stdout (errors and warnings on stderr). Under systemd, when stdout or
 * stderr is the journal ({@code JOURNAL_STREAM} names it), each line starts with the sd-daemon priority prefix
 * ({@code <3>} error, {@code <4>} warning, {@code <5>} notice, {@code <6>} info) and carries no time, since the
 * journal adds its own; otherwise lines start with the local time.
 */
public final class ServeLog {
    /** syslog priorities, as sd-daemon(3) prefixes them. */
    public enum Level {
        ERROR(3, "error: "), WARNING(4, "warning: "), NOTICE(5, ""), INFO(6, "");

        final int priority;
        final String word;

        Level(int priority, String word) {
            this.priority = priority;
            this.word = word;
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final PrintStream out;
    private final PrintStream err;
    private final boolean journal;
    private final Clock clock;

    public ServeLog(PrintStream out, PrintStream err, boolean journal, Clock clock) {
        this.out = out;
        this.err = err;
        this.journal = journal;
        this.clock = clock;
    }

    /** Whether lines carry journal priority prefixes. */
    public boolean journal() {
        return journal;
    }

    public void error(String text) {
        log(Level.ERROR, text);
    }

    public void warning(String text) {
        log(Level.WARNING, text);
    }

    public void notice(String text) {
        log(Level.NOTICE, text);
    }

    public void info(String text) {
        log(Level.INFO, text);
    }

    public void log(Level level, String text) {
        String line = format(level, text, journal, LocalDateTime.now(clock));
        PrintStream to = level.priority <= Level.WARNING.priority ? err : out;
        synchronized (this) {
            to.println(line);
            to.flush();
        }
    }

    /**
     * One entry as written: with the journal, every line of a multi-line text gets the prefix (the journal reads
     * each line as an entry of its own); without it, the time and, for warnings and errors, the level in words.
     */
    public static String format(Level level, String text, boolean journal, LocalDateTime now) {
        String[] lines = text.split("\\R", -1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                b.append('\n');
            }
            if (journal) {
                b.append('<').append(level.priority).append('>').append(level.word).append(lines[i]);
            } else {
                b.append(TIME.format(now)).append(' ').append(level.word).append(i == 0 ? "" : "  ")
                        .append(lines[i]);
            }
        }
        return b.toString();
    }

    /**
     * Whether the journal is connected: {@code JOURNAL_STREAM} ("device:inode", set by systemd) names the stream
     * stdout or stderr is. The variable is inherited by children whose output goes elsewhere, so it is checked
     * against the two descriptors (sd_journal_stream_fd(3) advises this); where they cannot be looked at, it is
     * trusted.
     *
     * @param stat device and inode of a file descriptor (1 or 2), empty when they cannot be read
     */
    public static boolean journalConnected(String journalStream, IntFunction<Optional<long[]>> stat) {
        if (journalStream == null || journalStream.isBlank()) {
            return false;
        }
        String[] parts = journalStream.strip().split(":");
        long dev;
        long ino;
        try {
            if (parts.length != 2) {
                return false;
            }
            dev = Long.parseLong(parts[0]);
            ino = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return false;
        }
        boolean unknown = true;
        for (int fd : new int[] {1, 2}) {
            Optional<long[]> s = stat.apply(fd);
            if (s.isPresent()) {
                unknown = false;
                if (s.get()[0] == dev && s.get()[1] == ino) {
                    return true;
                }
            }
        }
        return unknown;
    }

    /** Device and inode of one of this process's descriptors, through /proc/self/fd. */
    public static Optional<long[]> statFd(int fd) {
        try {
            Path p = Path.of("/proc/self/fd/" + fd);
            Object dev = Files.getAttribute(p, "unix:dev");
            Object ino = Files.getAttribute(p, "unix:ino");
            return Optional.of(new long[] {((Number) dev).longValue(), ((Number) ino).longValue()});
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
    }
}
