package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlMessage.Control;
import org.hopwire.engine.protocol.ControlMessage.ControlAccess;
import org.hopwire.engine.protocol.ControlMessage.ControlState;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A borrower changing a lent camera's controls (docs/protocol.md, 4.1 and 7.1): permission, checks, coalescing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionControlsTest {
    static final Control BRIGHTNESS = new Control("brightness", Control.INTEGER, -100, 100, 1, 0, 0);
    static final Control ZOOM = new Control("zoom_absolute", Control.INTEGER, 100, 500, 10, 100, 100);
    static final Control AUTO_FOCUS = new Control("focus_automatic_continuous", Control.BOOLEAN, 0, 1, 1, 1, 1);
    static final ControlMessage.Catalog CATALOG = new ControlMessage.Catalog(List.of(
            new ControlMessage.Device("cam0", ControlMessage.Device.VIDEO, "Test camera", List.of(),
                    List.of(BRIGHTNESS, ZOOM, AUTO_FOCUS)),
            new ControlMessage.Device("mic0", ControlMessage.Device.AUDIO, "Test microphone", List.of())));

    /** The owner's side: a device whose controls take what they are given, within their range. */
    static final class Owner extends Recorder {
        volatile boolean controls = true;
        volatile boolean allowWhenAsked = true;
        final AtomicInteger controlAsked = new AtomicInteger();
        final List<long[]> applied = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<ConsentAnswer> askConsentWithControls(PeerInfo peer, String deviceId) {
            return askConsent(peer, deviceId).thenApply(c -> new ConsentAnswer(c, controls));
        }

        @Override
        public CompletionStage<Boolean> askControl(PeerInfo peer, String deviceId) {
            controlAsked.incrementAndGet();
            return CompletableFuture.completedFuture(allowWhenAsked);
        }

        @Override
        public long applyControl(int channel, String deviceId, Control control, long value) {
            applied.add(new long[] {channel, value});
            return value;
        }
    }

    /** The borrower's side: records what the owner says about controls. */
    static final class Borrower extends Recorder {
        final BlockingQueue<ControlState> states = new LinkedBlockingQueue<>();
        final BlockingQueue<ControlAccess> access = new LinkedBlockingQueue<>();
        final List<String> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onControlState(ControlState state) {
            states.add(state);
        }

        @Override
        public void onControlAccess(ControlAccess a) {
            access.add(a);
        }

        @Override
        public void onPeerError(ProtocolError error, String text) {
            super.onPeerError(error, text);
            errors.add(error + ": " + text);
        }
    }

    @TempDir
    Path dir;
    private SessionPair pair;
    private HostilePeer hostile;
    private final Owner owner = new Owner();
    private final Borrower borrower = new Borrower();

    @AfterEach
    void tearDown() {
        if (hostile != null) {
            hostile.close();
        }
        if (pair != null) {
            pair.close();
        }
    }

    private Borrow borrowCam(SessionHandler.Consent consent, boolean controls) throws Exception {
        pair = new SessionPair(dir);
        owner.consent = consent;
        owner.controls = controls;
        pair.start(PeerSession.Config.DEFAULT, PeerSession.Config.DEFAULT, owner, borrower);
        pair.a.setCatalog(CATALOG);
        pair.awaitReady();
        Transfers.await(() -> pair.b.peerCatalog().devices().stream().anyMatch(d -> !d.controls().isEmpty()),
                Duration.ofSeconds(5), "the catalog with controls");
        return pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
    }

    private ControlAccess access() throws InterruptedException {
        ControlAccess a = borrower.access.poll(5, TimeUnit.SECONDS);
        assertNotNull(a, "the owner says whether controls may be changed");
        return a;
    }

    @Test
    void shouldListTheControlsInTheCatalogAndTellTheirValuesWhenTheLendBegins() throws Exception {
        Borrow b = borrowCam(SessionHandler.Consent.ALLOW_ALWAYS, true);
        assertEquals(List.of(BRIGHTNESS, ZOOM, AUTO_FOCUS), pair.b.peerCatalog().devices().get(0).controls());
        assertEquals(ControlAccess.ALLOWED, access().access());
        for (int i = 0; i < 3; i++) {
            ControlState st = borrower.states.poll(5, TimeUnit.SECONDS);
            assertNotNull(st);
            assertEquals(ControlState.OWNER, st.status());
            assertEquals(b.channel(), st.channel());
        }
        assertEquals(3, pair.b.borrowedControls(b.channel()).size());
    }

    @Test
    void shouldApplyABorrowersChangeAndConfirmTheValueTheDeviceTook() throws Exception {
        Borrow b = borrowCam(SessionHandler.Consent.ALLOW_ALWAYS, true);
        assertEquals(ControlAccess.ALLOWED, access().access());
        ControlState st = pair.b.setControl(b.channel(), "brightness", 40).get(5, TimeUnit.SECONDS);
        assertEquals(ControlState.APPLIED, st.status());
        assertEquals(40, st.value());
        // Out of range and off the step: clamped on both sides, never passed on as it was.
        ControlState zoom = pair.b.setControl(b.channel(), "zoom_absolute", 10_000).get(5, TimeUnit.SECONDS);
        assertEquals(500, zoom.value());
        ControlState stepped = pair.b.setControl(b.channel(), "zoom_absolute", 234).get(5, TimeUnit.SECONDS);
        assertEquals(230, stepped.value());
        assertTrue(owner.applied.stream().allMatch(v -> v[1] >= -100 && v[1] <= 500), "only values in range");
        assertEquals(40, pair.b.borrowedControls(b.channel()).get(0).value(), "the borrower knows the value now");
        assertThrows(SessionException.class, () -> pair.b.setControl(b.channel(), "exposure", 1),
                "a control the catalog does not list");
        assertThrows(SessionException.class, () -> pair.b.setControl(b.channel() + 1, "brightness", 1),
                "a channel not borrowed");
    }

    @Test
    void shouldShowTheOwnersOwnChangesOnTheBorrowersSide() throws Exception {
        Borrow b = borrowCam(SessionHandler.Consent.ALLOW_ALWAYS, true);
        access();
        Transfers.await(() -> borrower.states.size() >= 3, Duration.ofSeconds(5), "the values at the start");
        borrower.states.clear();
        assertEquals(1, pair.a.controlChanged("cam0", "brightness", -30));
        ControlState st = borrower.states.poll(5, TimeUnit.SECONDS);
        assertNotNull(st);
        assertEquals(new ControlState(b.channel(), 0, "brightness", -30, ControlState.OWNER), st);
        assertEquals(0, pair.a.controlChanged("mic0", "brightness", 1), "nobody borrows the microphone");
    }

    @Test
    void shouldRefuseWithAReasonWhenTheOwnerDidNotLetTheBorrowerAdjust() throws Exception {
        Borrow b = borrowCam(SessionHandler.Consent.ALLOW_ALWAYS, false);
        ControlAccess a = access();
        assertEquals(ControlAccess.REFUSED, a.access());
        assertTrue(a.reason().contains("did not let"), a.reason());
        ControlState st = pair.b.setControl(b.channel(), "brightness", 50).get(5, TimeUnit.SECONDS);
        assertEquals(ControlState.REFUSED, st.status());
        assertEquals(0, st.value(), "the value in force");
        Transfers.await(() -> borrower.errors.stream().anyMatch(e -> e.startsWith(ProtocolError.NOT_ALLOWED + ":")
                && e.contains("did not let")), Duration.ofSeconds(5), "ERROR 8 with the reason: " + borrower.errors);
        assertTrue(owner.applied.isEmpty(), "nothing reached the device");
        // Remembered with the "always": the next borrow is refused too, without asking.
        pair.b.giveBack(b.channel());
        borrower.access.clear();
        Borrow again = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        assertEquals(ControlAccess.REFUSED, access().access());
        assertEquals(1, owner.consentAsked.get());
        assertFalse(pair.storeA.find(pair.bed.hostB().uuid()).orElseThrow().controlsAllowed("cam0"));
        assertEquals(ControlState.REFUSED, pair.b.setControl(again.channel(), "brightness", 5).get(5,
                TimeUnit.SECONDS).status());
    }

    @Test
    void shouldAskTheOwnersPersonAtTheFirstChangeOfABorrowAllowedOnce() throws Exception {
        Borrow b = borrowCam(SessionHandler.Consent.ALLOW_ONCE, true);
        assertEquals(ControlAccess.ASK, access().access());
        assertEquals(0, owner.controlAsked.get(), "nobody is asked before a change");
        ControlState st = pair.b.setControl(b.channel(), "brightness", 10).get(5, TimeUnit.SECONDS);
        assertEquals(ControlState.APPLIED, st.status());
        assertEquals(ControlAccess.ALLOWED, access().access(), "the borrower hears the answer");
        pair.b.setControl(b.channel(), "brightness", 20).get(5, TimeUnit.SECONDS);
        assertEquals(1, owner.controlAsked.get(), "the answer holds for this borrow");
    }

    @Test
    void shouldRefuseWhenTheOwnersPersonSaysNoAtTheFirstChange() throws Exception {
        owner.allowWhenAsked = false;
        Borrow b = borrowCam(SessionHandler.Consent.ALLOW_ONCE, true);
        assertEquals(ControlAccess.ASK, access().access());
        ControlState st = pair.b.setControl(b.channel(), "brightness", 10).get(5, TimeUnit.SECONDS);
        assertEquals(ControlState.REFUSED, st.status());
        assertEquals(ControlAccess.REFUSED, access().access());
        assertTrue(owner.applied.isEmpty());
    }

    /** Plays B by hand, borrows cam0 from A (which allows controls), and returns the channel. */
    private int hostileBorrow() throws Exception {
        pair = new SessionPair(dir);
        owner.consent = SessionHandler.Consent.ALLOW_ALWAYS;
        pair.ha = owner;
        pair.a = SessionPair.startOne(pair.bed.a(), pair.pa, "alpha", PeerSession.Config.DEFAULT, pair.storeA, owner);
        pair.a.setCatalog(CATALOG);
        hostile = new HostilePeer(pair, pair.storeB, FrameSeal.Protection.ENCRYPTED);
        hostile.awaitReady();
        SessionPair.awaitState(pair.a, PeerSession.State.READY);
        hostile.send(new ControlMessage.BorrowRequest(1, "cam0", ""));
        ControlMessage.Caps caps = hostile.await(ControlMessage.Caps.class, c -> c.requestId() == 1);
        hostile.send(new ControlMessage.Start(caps.channel()));
        hostile.await(ControlAccess.class, a -> a.access() == ControlAccess.ALLOWED);
        return caps.channel();
    }

    @Test
    void shouldRefuseUnknownControlsAndChannelsNotLentToThePeerAndClampWhatIsOutOfRange() throws Exception {
        int ch = hostileBorrow();
        hostile.send(new ControlMessage.ControlSet(ch, 5, "exposure_time_absolute", 1));
        ControlMessage.ErrorReport unknown = hostile.await(ControlMessage.ErrorReport.class, e -> true);
        assertEquals(ProtocolError.NOT_ALLOWED, unknown.error());
        assertTrue(unknown.text().contains("no control exposure_time_absolute"), unknown.text());
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(SessionControls.ERROR_GAP_NS) + 50); // past the report gap
        hostile.send(new ControlMessage.ControlSet(ch + 1, 6, "brightness", 1));
        ControlMessage.ErrorReport notLent = hostile.await(ControlMessage.ErrorReport.class, e -> true);
        assertEquals(ProtocolError.NOT_ALLOWED, notLent.error());
        assertTrue(notLent.text().contains("not lent"), notLent.text());
        hostile.send(new ControlMessage.ControlSet(ch, 7, "brightness", Long.MIN_VALUE));
        ControlState st = hostile.await(ControlState.class, s -> s.requestId() == 7);
        assertEquals(-100, st.value());
        assertEquals(List.of(-100L), owner.applied.stream().map(v -> v[1]).toList(), "only the valid change applied");
        assertEquals(PeerSession.State.READY, pair.a.state(), "none of it ends the session");
    }

    @Test
    void shouldCoalesceAFloodOfChangesSoTheDeviceSeesOnlyAFew() throws Exception {
        int ch = hostileBorrow();
        int n = 20_000;
        long startNs = System.nanoTime();
        ControlMessage[] burst = new ControlMessage[500];
        for (int sent = 0; sent < n; sent += burst.length) {
            for (int i = 0; i < burst.length; i++) {
                int k = sent + i + 1;
                burst[i] = new ControlMessage.ControlSet(ch, k, "brightness", k % 201 - 100);
            }
            hostile.send(burst);
        }
        ControlState last = hostile.await(ControlState.class, s -> s.requestId() == n, Duration.ofSeconds(20));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertEquals(n % 201 - 100, last.value(), "the latest change wins");
        // At most one application per 20 ms, plus the first.
        long bound = tookMs / 20 + 2;
        assertTrue(owner.applied.size() <= bound, owner.applied.size() + " applications in " + tookMs + " ms");
        assertTrue(owner.applied.size() < n / 20, owner.applied.size() + " applications for " + n + " changes");
        assertTrue(pair.a.controlChangesCoalesced() > n / 2, "coalesced " + pair.a.controlChangesCoalesced());
        assertEquals(PeerSession.State.READY, pair.a.state());
    }

    @Test
    void shouldKeepOneChangeInFlightPerControlWhileASliderIsDragged() throws Exception {
        Borrow b = borrowCam(SessionHandler.Consent.ALLOW_ALWAYS, true);
        access();
        List<CompletableFuture<ControlState>> all = new java.util.ArrayList<>();
        for (int v = -100; v <= 100; v++) {
            all.add(pair.b.setControl(b.channel(), "brightness", v));
        }
        ControlState last = all.get(all.size() - 1).get(5, TimeUnit.SECONDS);
        assertEquals(100, last.value());
        for (CompletableFuture<ControlState> f : all) {
            assertTrue(f.isDone(), "every change is answered by its own or a later confirmation");
        }
        assertTrue(owner.applied.size() < 50, "sent while dragging: " + owner.applied.size() + " of 201");
        assertEquals(100, owner.applied.get(owner.applied.size() - 1)[1]);
        Map<String, Long> none = owner.controlValues("cam0");
        assertTrue(none.isEmpty());
    }
}
