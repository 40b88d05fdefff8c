package org.hopwire.engine.pairing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import org.hopwire.engine.fabric.StreamAddress;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.StreamSpec;
import org.hopwire.engine.testbed.EmulatedTestbed;
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
    void shouldTearDownWhatACrashedRunLeftAndWithdrawItsAnnouncements() throws Exception {
        try (EmulatedTestbed bed = new EmulatedTestbed()) {
            // A crash leaves its directories in ConfigFS, announced, and an unrelated stream of someone else's.
            StreamInfo ctl = bed.a().createStream("0-1.0", StreamSpec.automatic("hwctl"));
            bed.a().createStream("0-1.0", StreamSpec.automatic("hwdata"));
            bed.a().createStream("0-1.0", StreamSpec.automatic("backup"));
            Thread.sleep(bed.announcementTime().toMillis());
            List<StreamAddress> removed = StreamPairing.removeLeftovers(bed.a(), List.of("hwctl", "hwdata"));
            assertEquals(List.of("hwctl", "hwdata"), removed.stream().map(StreamAddress::name).toList());
            assertEquals(List.of("backup"), bed.a().streams().stream().map(s -> s.address().name()).toList());
            Thread.sleep(bed.announcementTime().toMillis());
            StreamInfo follower = bed.b().createStream("0-1.0", StreamSpec.inherited("hwctl"));
            assertFalse(follower.hasHopIds(), "the announcement of " + ctl + " was withdrawn too: " + follower);
        }
    }

    @Test
    void shouldRefuseAPeerThatClaimsOurOwnUuid() {
        UUID same = UUID.randomUUID();
        assertThrows(IllegalArgumentException.class, () -> StreamPairing.leads(same, same));
    }
}
