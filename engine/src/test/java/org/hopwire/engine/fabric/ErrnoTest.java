package org.hopwire.engine.fabric;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void shouldNameTheLinuxErrnoNumbersTheDriverAnswersWith() {
        // asm-generic/errno-base.h and errno.h: the same numbers on x86-64 and AArch64.
        assertEquals(Optional.of(Errno.ENXIO), Errno.of(6));
        assertEquals(Optional.of(Errno.ENOMEM), Errno.of(12));
        assertEquals(Optional.of(Errno.EBUSY), Errno.of(16));
        assertEquals(Optional.of(Errno.EINVAL), Errno.of(22));
        assertEquals(Optional.of(Errno.ENOSPC), Errno.of(28));
        assertEquals(Optional.of(Errno.ERANGE), Errno.of(34));
        assertEquals(Optional.of(Errno.ENAMETOOLONG), Errno.of(36));
        assertEquals(Optional.empty(), Errno.of(0));
        assertEquals(Optional.empty(), Errno.of(9999));
    }

    @Test
    void shouldKeepEveryNumberDistinct() {
        assertEquals(Errno.values().length, java.util.Arrays.stream(Errno.values()).mapToInt(Errno::number)
                .distinct().count());
    }
}
