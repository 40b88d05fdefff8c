package org.hopwire.app.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.session.PeerInfo;
import org.hopwire.engine.session.PeerLink;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.engine.trust.PeerStore;
import org.hopwire.gst.device.DeviceCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data protection chosen in Settings reaches the sessions the hub starts: the other host here is a plain engine
 * link that asks for no protection (the Demo laptop asks for encryption, which would hide this host's wish), so what
 * the session ends up with is what this host asked for, the stronger of the two.
 */
class HubProtectionTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final Questions questions = new Questions();
    private final AtomicReference<Settings> settings = new AtomicReference<>(Settings.defaults());
    private DemoFabric world;
    private DeviceCatalog devices;
    private Hub hub;
    private PeerLink other;

    @BeforeEach
    void open() throws Exception {
        world = DemoFabric.create("desk", UUID.randomUUID());
        devices = DeviceCatalog.testSourcesOnly();
        devices.start();
        UUID here = world.local().localHostUuid();
        hub = new Hub(world.local(), devices, new PeerStore(dir.resolve("peers")),
                new PeerSession.Identity(here, "desk", "test"), questions, settings::get, PeerSession.Config.DEFAULT);
        hub.start();
    }

    @AfterEach
    void close() {
        if (other != null) {
            other.close();
        }
        hub.close();
        devices.close();
        world.close();
    }

    /** The host on the other end of the cable, asking for {@code protection}; its person confirms every code. */
    private void otherHostWants(FrameSeal.Protection protection) {
        other = new PeerLink(world.demo(), world.local().localHostUuid(), new PeerSession.Identity(
                DemoFabric.DEMO_PEER_UUID, "other", "test"), new PeerStore(dir.resolve("other")), new SessionHandler() {
                    @Override
                    public CompletionStage<Boolean> confirmPairing(PeerInfo peer, String code) {
                        return CompletableFuture.completedFuture(true);
                    }
                }, PeerSession.Config.DEFAULT.withProtection(protection), s -> { });
    }

    private Optional<FrameSeal.Protection> shown() {
        return hub.snapshot().peer(DemoFabric.DEMO_PEER_UUID).map(p -> p.link().protection()).orElse(Optional.empty());
    }

    private FrameSeal.Protection otherSessionHas() {
        return other.session().flatMap(PeerSession::dataProtection).orElse(null);
    }

    @Test
    void shouldBuildEachSessionsConfigurationWithTheProtectionInTheSettingsAndNothingElseChanged() {
        assertEquals(FrameSeal.Protection.ENCRYPTED, hub.sessionConfig().protection(), "encrypted by default");
        for (FrameSeal.Protection p : FrameSeal.Protection.values()) {
            settings.set(settings.get().withDataProtection(p));
            assertEquals(PeerSession.Config.DEFAULT.withProtection(p), hub.sessionConfig());
        }
    }

    @Test
    void shouldAskForTheProtectionChosenInSettingsFromTheNextConnectionOn() throws Exception {
        settings.set(settings.get().withDataProtection(FrameSeal.Protection.NONE));
        otherHostWants(FrameSeal.Protection.NONE);
        Transfers.await(() -> questions.first(Questions.Kind.PAIRING).isPresent(), WAIT, "the pairing question");
        questions.first(Questions.Kind.PAIRING).orElseThrow().answer(SessionHandler.Consent.ALLOW_ONCE);
        Transfers.await(() -> shown().isPresent(), WAIT, "a ready session on the link panel");
        assertEquals(Optional.of(FrameSeal.Protection.NONE), shown(), "neither host asked for protection");
        assertEquals(FrameSeal.Protection.NONE, otherSessionHas());

        PeerSession first = other.session().orElseThrow();
        settings.set(settings.get().withDataProtection(FrameSeal.Protection.AUTHENTICATED));
        Thread.sleep(2 * Hub.TICK_MS);
        assertSame(first, other.session().orElseThrow(), "a change in Settings does not break the running session");
        assertEquals(Optional.of(FrameSeal.Protection.NONE), shown(), "nor changes its protection");

        world.cable().unplug();
        Transfers.await(() -> hub.snapshot().peer(DemoFabric.DEMO_PEER_UUID).map(p -> p.state() == PeerState.OFFLINE)
                .orElse(false), WAIT, "offline");
        world.cable().plug();
        Transfers.await(() -> shown().equals(Optional.of(FrameSeal.Protection.AUTHENTICATED)), WAIT,
                "the next session authenticated, as this host asked (now " + shown() + ")");
        assertEquals(FrameSeal.Protection.AUTHENTICATED, otherSessionHas(), "the other host asked for none: "
                + "this host's HELLO carried the choice");
    }
}
