package org.hopwire.engine.pairing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class StreamPairingTest {
    @Test
    void shouldLetTheLowerUuidTextLeadWhateverItsCase() {
        UUID low = UUID.fromString("0fffffff-0000-4000-8000-000000000000");
        UUID high = UUID.fromString("A0000000-0000-4000-8000-000000000000");
        assertTrue(StreamPairing.leads(low, high));
        assertFalse(StreamPairing.leads(high, low));
        // UUID.compareTo compares signed longs and would put 'a...' first: the rule is on text.
        assertTrue(high.compareTo(low) < 0);
    }

    @Test
    void shouldRefuseAPeerThatClaimsOurOwnUuid() {
        UUID same = UUID.randomUUID();
        assertThrows(IllegalArgumentException.class, () -> StreamPairing.leads(same, same));
    }
}
