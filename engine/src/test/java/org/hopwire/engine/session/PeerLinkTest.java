package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.engine.trust.PeerStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A link that survives the cable: suspended on unplug, resumed on replug, with its borrows asked for again. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerLinkTest {
    @TempDir
    Path dir;

    private EmulatedTestbed bed;
    private PeerLink la;
    private PeerLink lb;
    private final List<PeerLink.State> statesA = new CopyOnWriteArrayList<>();
    private final List<PeerLink.State> statesB = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        if (la != null) {
            la.close();
        }
        if (lb != null) {
            lb.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    private static void await(PeerLink l, PeerLink.State s) throws InterruptedException {
        Transfers.await(() -> l.state() == s, Duration.ofSeconds(15), "link state " + s + " (now " + l.state() + ", "
                + l.lastEnd() + ")");
    }

    @Test
    void shouldSuspendOnUnplugAndResumeWithAlwaysBorrowsOnly() throws Exception {
        bed = new EmulatedTestbed();
        Recorder owner = new Recorder();
        Recorder borrower = new Recorder();
        la = new PeerLink(bed.a(), bed.hostB().uuid(), new PeerSession.Identity(bed.hostA().uuid(), "alpha", "t"),
                new PeerStore(dir.resolve("a")), owner, PeerSession.Config.DEFAULT, statesA::add);
        lb = new PeerLink(bed.b(), bed.hostA().uuid(), new PeerSession.Identity(bed.hostB().uuid(), "beta", "t"),
                new PeerStore(dir.resolve("b")), borrower, PeerSession.Config.DEFAULT, statesB::add);
        la.setCatalog(SessionPair.CATALOG);
        await(la, PeerLink.State.READY);
        await(lb, PeerLink.State.READY);

        owner.consent = SessionHandler.Consent.ALLOW_ALWAYS;
        Borrow always = lb.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        owner.consent = SessionHandler.Consent.ALLOW_ONCE;
        Borrow once = lb.borrow("cam1", "").get(5, TimeUnit.SECONDS);
        assertEquals(2, owner.consentAsked.get());
        assertTrue(always.channel() != once.channel());

        bed.unplug();
        await(la, PeerLink.State.WAITING_FOR_PEER);
        await(lb, PeerLink.State.WAITING_FOR_PEER);
        assertTrue(statesA.contains(PeerLink.State.SUSPENDED), statesA.toString());
        assertTrue(bed.a().streams().isEmpty() && bed.b().streams().isEmpty(), "no stream left in ConfigFS");
        assertTrue(liveSessionThreads().isEmpty(), "no session thread left: " + liveSessionThreads());

        owner.lendsStarted.clear();
        bed.plug();
        await(la, PeerLink.State.READY);
        await(lb, PeerLink.State.READY);
        // Both are asked for again; "always" passes at once, "once" asks the owner's person again.
        Integer first = owner.lendsStarted.poll(10, TimeUnit.SECONDS);
        Integer second = owner.lendsStarted.poll(10, TimeUnit.SECONDS);
        assertNotNull(first);
        assertNotNull(second);
        assertEquals(3, owner.consentAsked.get(), "only the 'once' borrow asked again");
        assertTrue(statesA.contains(PeerLink.State.AUTHENTICATING), "the resumed session authenticated: "
                + statesA);

        la.session().orElseThrow().send(new MediaFrame(first, 0, 0, -1, -1, FragmentHeader.KEY_FRAME,
                ByteBuffer.wrap(new byte[] {4, 2})));
        assertNotNull(borrower.frames.poll(5, TimeUnit.SECONDS), "frames flow again");
    }

    @Test
    void shouldStopForGoodWhenPairingIsRejected() throws Exception {
        bed = new EmulatedTestbed();
        Recorder rejecting = new Recorder();
        rejecting.confirm = false;
        la = new PeerLink(bed.a(), bed.hostB().uuid(), new PeerSession.Identity(bed.hostA().uuid(), "alpha", "t"),
                new PeerStore(dir.resolve("a")), new Recorder(), PeerSession.Config.DEFAULT, statesA::add);
        lb = new PeerLink(bed.b(), bed.hostA().uuid(), new PeerSession.Identity(bed.hostB().uuid(), "beta", "t"),
                new PeerStore(dir.resolve("b")), rejecting, PeerSession.Config.DEFAULT, statesB::add);
        await(la, PeerLink.State.CLOSED);
        await(lb, PeerLink.State.CLOSED);
        assertEquals(SessionEnd.Reason.PAIRING_REJECTED, la.lastEnd().orElseThrow().reason());
        Transfers.await(() -> bed.hostA().streamInfos().isEmpty(), Duration.ofSeconds(5), "streams removed");
    }

    private static Set<String> liveSessionThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("hopwire-0-")).collect(Collectors.toSet());
    }
}
