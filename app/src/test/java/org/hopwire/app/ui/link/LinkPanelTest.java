package org.hopwire.app.ui.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Snapshot;
import org.hopwire.engine.protocol.FrameSeal;
import org.junit.jupiter.api.Test;

/** The link panel's figures in the reader's locale: a decimal comma in German, a point in English. */
class LinkPanelTest {
    private static final Snapshot.ChannelRate CAMERA = new Snapshot.ChannelRate("Test camera", false, 1_523_000,
            29.97, 1234, 850, 12_340);

    @Test
    void shouldWriteRatesAndTimesWithTheLocalesDecimalSeparator() {
        assertEquals("1,5 MB/s", LinkPanel.megabytes(1.5e6, Locale.GERMANY));
        assertEquals("1.5 MB/s", LinkPanel.megabytes(1.5e6, Locale.US));
        assertEquals("12,3 ms", LinkPanel.micros(12_340, Locale.GERMANY));
        assertEquals("850 µs", LinkPanel.micros(850, Locale.GERMANY));
        assertEquals("–", LinkPanel.micros(0, Locale.GERMANY));
    }

    @Test
    void shouldFormatAChannelsRowForAGermanReader() {
        LinkPanel.ChannelRow row = new LinkPanel.ChannelRow(CAMERA, Locale.GERMANY);
        assertEquals("1,5 MB/s", row.getRate());
        assertEquals("30,0", row.getFps());
        assertEquals("850 µs / 12,3 ms", row.getLatency());
        assertEquals("1.234", row.getDrops(), "thousands grouped as Germans write them");
        assertEquals("in", row.getDirection());
    }

    @Test
    void shouldSaySpeedProtectionRatesAndRoundTripInOneLine() {
        Snapshot.Link link = new Snapshot.Link(List.of(1e6, 2.26e6), List.of(0.5e6), List.of(CAMERA), 1500,
                Optional.of(FrameSeal.Protection.ENCRYPTED));
        Snapshot.Peer peer = new Snapshot.Peer(UUID.fromString("6f1c9d2e-4b7a-4c3e-9f10-2a5b8c7d0e11"), "Demo laptop",
                "0-1", 20, 2, PeerState.PAIRED, "", true, Optional.empty(), List.of(), link);
        assertEquals("2 × 20 Gb/s · encrypted · out 2,3 MB/s · in 0,5 MB/s · round trip 1,5 ms",
                LinkPanel.figures(peer, Locale.GERMANY));
    }

    @Test
    void shouldSayHowFarApartACaptureCardsPicturesAndSoundLeaveThisHost() {
        assertEquals("", LinkPanel.avOffsets(List.of(), Locale.US), "no line without a capture card");
        assertEquals("A/V offset of Test capture card: pictures 3.4 ms after the sound, 95% of 30 ticks within"
                + " 12.5 ms", LinkPanel.avOffsets(List.of(new Snapshot.AvOffset("Test capture card", 30, 3.43, 12.5)),
                Locale.US));
        assertEquals("A/V offset of Card: sound 7,0 ms after the pictures, 95% of 10 ticks within 9,1 ms",
                LinkPanel.avOffsets(List.of(new Snapshot.AvOffset("Card", 10, -7.0, 9.1)), Locale.GERMANY));
        assertEquals("A/V offset of Card: pictures and sound together (0.0 ms), 95% of 10 ticks within 0.6 ms",
                LinkPanel.avOffsets(List.of(new Snapshot.AvOffset("Card", 10, -0.01, 0.6)), Locale.US));
        assertEquals("A/V offset of HDMI: measuring (the test capture card's ticks give the figure)",
                LinkPanel.avOffsets(List.of(new Snapshot.AvOffset("HDMI", 0, Double.NaN, Double.NaN)), Locale.US));
    }
}
