package org.hopwire.engine.fabric;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void shouldPreferTheLongestMatchingErrorText() {
        assertEquals(Optional.of(Errno.ENXIO), Errno.fromMessage("/dev/tbstream0: No such device or address"));
        assertEquals(Optional.of(Errno.ENODEV), Errno.fromMessage("No such device"));
        assertEquals(Optional.of(Errno.EBUSY), Errno.fromMessage("Device or resource busy"));
        assertEquals(Optional.empty(), Errno.fromMessage("something else"));
        assertEquals(Optional.empty(), Errno.fromMessage(null));
    }
}
