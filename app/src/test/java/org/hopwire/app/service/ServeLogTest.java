package org.hopwire.app.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Log lines the journal understands (sd-daemon priority prefixes) and plain ones with a time elsewhere. */
class ServeLogTest {
    private static final LocalDateTime NOON = LocalDateTime.of(2026, 11, 30, 12, 0, 5);

    @Test
    void shouldPrefixEveryLineWithItsPriorityForTheJournal() {
        assertEquals("<6>peer came", ServeLog.format(ServeLog.Level.INFO, "peer came", true, NOON));
        assertEquals("<5>consent: allowed", ServeLog.format(ServeLog.Level.NOTICE, "consent: allowed", true, NOON));
        assertEquals("<4>warning: left", ServeLog.format(ServeLog.Level.WARNING, "left", true, NOON));
        assertEquals("<3>error: one\n<3>error: two", ServeLog.format(ServeLog.Level.ERROR, "one\ntwo", true, NOON));
    }

    @Test
    void shouldWriteTheTimeWithoutTheJournal() {
        assertEquals("2026-11-30 12:00:05 peer came", ServeLog.format(ServeLog.Level.INFO, "peer came", false, NOON));
        assertEquals("2026-11-30 12:00:05 error: broken", ServeLog.format(ServeLog.Level.ERROR, "broken", false,
                NOON));
    }

    @Test
    void shouldBelieveJournalStreamOnlyWhenItIsThisProcesssOutput() {
        assertFalse(ServeLog.journalConnected(null, fd -> Optional.empty()));
        assertFalse(ServeLog.journalConnected("garbage", fd -> Optional.empty()));
        assertTrue(ServeLog.journalConnected("8:1234", fd -> fd == 2 ? Optional.of(new long[] {8, 1234})
                : Optional.of(new long[] {8, 99})), "stderr is the journal");
        assertFalse(ServeLog.journalConnected("8:1234", fd -> Optional.of(new long[] {8, 99})),
                "inherited by a process whose output goes elsewhere");
        assertTrue(ServeLog.journalConnected("8:1234", fd -> Optional.empty()), "cannot look: trusted");
    }

    @Test
    void shouldSendWarningsAndErrorsToStderr() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ServeLog log = new ServeLog(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), true,
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        log.info("a");
        log.notice("b");
        log.warning("c");
        log.error("d");
        assertEquals("<6>a\n<5>b\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("<4>warning: c\n<3>error: d\n", err.toString(StandardCharsets.UTF_8));
    }
}
