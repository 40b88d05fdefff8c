package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.fabric.emulated.EmulatedFabric;
import org.hopwire.engine.fabric.emulated.EmulatedHost;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.hopwire.engine.fabric.kernel.KernelFabric;
import org.hopwire.engine.pairing.StreamPairing;
import org.hopwire.engine.testbed.FakeKernel;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.engine.trust.PeerStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Links between machines laid out as real ones can be: a host with two USB4 host routers (two domains, a UUID in
 * each), and a peer that offers another service before USB4STREAM (its stream service is {@code .1}). Each runs on the
 * emulated fabric and on the kernel adapter over a fake tree.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopologyTest {
    /** Sorts after the peer's UUID: if this host took its first domain's UUID, both hosts would follow. */
    private static final UUID FIRST_DOMAIN = UUID.fromString("ffffffff-0000-4000-8000-000000000000");
    /** Sorts before it: in the domain the cable is on, this host leads. */
    private static final UUID SECOND_DOMAIN = UUID.fromString("00000000-0000-4000-8000-000000000001");
    private static final UUID PEER = UUID.fromString("88888888-0000-4000-8000-000000000002");

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    private Fabric fabric(EmulatedHost host, boolean kernel) throws Exception {
        if (!kernel) {
            return keep(new EmulatedFabric(host));
        }
        FakeKernel k = new FakeKernel(host, Files.createTempDirectory(dir, host.name()));
        keep(k::detach);
        return keep(new KernelFabric(k.paths(), k, k, Duration.ofMillis(20)));
    }

    private void linkUp(Fabric a, UUID aSeenByB, Fabric b, UUID bUuid) throws Exception {
        PeerLink la = keep(new PeerLink(a, bUuid, new PeerSession.Identity(FIRST_DOMAIN, "alpha", "t"),
                new PeerStore(dir.resolve("a")), new Recorder(), PeerSession.Config.DEFAULT, s -> { }));
        PeerLink lb = keep(new PeerLink(b, aSeenByB, new PeerSession.Identity(bUuid, "beta", "t"),
                new PeerStore(dir.resolve("b")), new Recorder(), PeerSession.Config.DEFAULT, s -> { }));
        for (PeerLink l : List.of(la, lb)) {
            Transfers.await(() -> l.state() == PeerLink.State.READY, Duration.ofSeconds(20), "link ready (now "
                    + l.state() + ", " + l.lastEnd() + ")");
        }
    }

    @ParameterizedTest(name = "kernel adapter: {0}")
    @ValueSource(booleans = {false, true})
    void shouldLeadWithTheUuidThePeerSeesOnAHostWithTwoDomains(boolean kernel) throws Exception {
        EmulatedWorld world = keep(new EmulatedWorld());
        EmulatedHost alpha = world.addHost("alpha", FIRST_DOMAIN);
        int second = alpha.addDomain(SECOND_DOMAIN);
        EmulatedHost beta = world.addHost("beta", PEER);
        world.connect(alpha, second, beta, 0, CableProfile.UNTHROTTLED);
        Fabric a = fabric(alpha, kernel);
        Fabric b = fabric(beta, kernel);
        Transfers.await(() -> !Transfers.peersOf(a).isEmpty() && !Transfers.peersOf(b).isEmpty(), Duration.ofSeconds(5), "peers");
        assertEquals(SECOND_DOMAIN, a.localHostUuid(a.peers().get(0)));
        assertTrue(StreamPairing.leads(a.localHostUuid(a.peers().get(0)), PEER), "alpha leads in domain 1");
        // The HELLO check, pairing and authentication all use the UUID the peer sees.
        linkUp(a, SECOND_DOMAIN, b, PEER);
    }

    @ParameterizedTest(name = "kernel adapter: {0}")
    @ValueSource(booleans = {false, true})
    void shouldPairOnAStreamServiceThatIsNotTheFirst(boolean kernel) throws Exception {
        EmulatedWorld world = keep(new EmulatedWorld());
        EmulatedHost alpha = world.addHost("alpha", SECOND_DOMAIN);
        EmulatedHost beta = world.addHost("beta", PEER);
        alpha.offerServicesBeforeStream(1);
        beta.offerServicesBeforeStream(1);
        world.connect(alpha, beta);
        Fabric a = fabric(alpha, kernel);
        Fabric b = fabric(beta, kernel);
        Transfers.await(() -> !Transfers.peersOf(a).isEmpty() && Transfers.peersOf(a).get(0).services().size() == 2,
                Duration.ofSeconds(5), "the peer's two services");
        assertEquals("0-1.1", a.peers().get(0).streamService().orElseThrow().name());
        linkUp(a, SECOND_DOMAIN, b, PEER);
        assertTrue(a.streams().stream().allMatch(s -> s.address().service().equals("0-1.1")), a.streams().toString());
    }
}
