package org.hopwire.app.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.testbed.Transfers;

/**
 * The hub on the emulated demo, without a window, as the hub tests open it before each test and close it after:
 * its services, every notice it gave, and waits for a question and for the demo's state.
 */
final class DemoHub implements AutoCloseable {
    static final UUID DEMO = DemoFabric.DEMO_PEER_UUID;
    static final Duration WAIT = Duration.ofSeconds(15);

    final Questions questions;
    final Services services;
    final Hub hub;
    final List<Notice> notices = new CopyOnWriteArrayList<>();

    private DemoHub(Questions questions, Services services) {
        this.questions = questions;
        this.services = services;
        this.hub = services.hub();
        hub.addListener(new Hub.Listener() {
            @Override
            public void notice(Notice n) {
                notices.add(n);
            }
        });
    }

    /** Opens the services in {@code dir} on the emulated fabric, this host named "desk". */
    static DemoHub open(Path dir, Questions questions) throws Exception {
        return new DemoHub(questions, Services.open(dir, Optional.of(Fabrics.Choice.EMULATED), "desk", questions));
    }

    /** The oldest open question of {@code kind}, once there is one. */
    Questions.Question awaitQuestion(Questions.Kind kind) throws InterruptedException {
        Transfers.await(() -> questions.first(kind).isPresent(), WAIT, kind + " question");
        return questions.first(kind).orElseThrow();
    }

    /** The demo peer's state on its card now, null while it is not on the cable. */
    PeerState state() {
        return hub.snapshot().peer(DEMO).map(Snapshot.Peer::state).orElse(null);
    }

    @Override
    public void close() {
        services.close();
    }
}
