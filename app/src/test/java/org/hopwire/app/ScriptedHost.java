package org.hopwire.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.hopwire.app.core.Asker;
import org.hopwire.app.core.Services;
import org.hopwire.app.core.SettingsStore;
import org.hopwire.app.core.Snapshot;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.gst.playback.Outputs;

/**
 * A Hopwire host without a window, in a process of its own, whose person is the test on the other end of its
 * standard input and output (test sources only: a real host's person answers in the window). It runs the same
 * {@link Services} as the window, on the kernel fabric under {@code --root}.
 *
 * <p>Out, one line each: {@code CODE <peer> <code>} when a pairing code is to be compared, {@code ASK <peer>
 * <device>} when a peer asks for a device, {@code STATE <peer> <state>} when a peer's card changes, {@code FRAMES
 * <n>} twice a second while borrowing, {@code BORROWING <caps>}, {@code FAILED <why>}. In: {@code confirm},
 * {@code reject}, {@code allow}, {@code deny}, {@code borrow <device name>}, {@code quit}.
 *
 * <p>Arguments: {@code --root DIR --config DIR --name NAME}.
 */
public final class ScriptedHost {
    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    private static final BlockingQueue<String> ANSWERS = new LinkedBlockingQueue<>();
    /** The person answers one question at a time, off the hub's threads. */
    private static final java.util.concurrent.ExecutorService PERSON = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "scripted-person");
                t.setDaemon(true);
                return t;
            });

    private ScriptedHost() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(arg(args, "--root"));
        Path config = Path.of(arg(args, "--config"));
        String name = arg(args, "--name");
        Services services = Services.open(new SettingsStore(config), Optional.empty(), Optional.of(root), name,
                new Person());
        Runtime.getRuntime().addShutdownHook(new Thread(services::close));
        OUT.println("UP " + services.fabric().localHostUuid());
        Thread watcher = new Thread(() -> watch(services), "scripted-watch");
        watcher.setDaemon(true);
        watcher.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            line = line.strip();
            if (line.equals("quit")) {
                break;
            } else if (line.startsWith("borrow ")) {
                borrow(services, line.substring("borrow ".length()));
            } else if (!line.isEmpty()) {
                ANSWERS.add(line);
            }
        }
        services.close();
        OUT.println("BYE");
        System.exit(0);
    }

    private static String arg(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        throw new IllegalArgumentException("missing " + name);
    }

    private static volatile UUID borrowedFrom;

    /** Borrows the first peer device whose name starts with {@code deviceName}, once its catalog has come. */
    private static void borrow(Services services, String deviceName) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> seen = List.of();
        while (System.nanoTime() < deadline) {
            Snapshot s = services.hub().snapshot();
            List<String> names = new java.util.ArrayList<>();
            for (Snapshot.Peer p : s.peers()) {
                for (Snapshot.Device d : p.devices()) {
                    names.add(d.name());
                    if (d.name().startsWith(deviceName)) {
                        borrowedFrom = p.uuid();
                        services.hub().borrow(p.uuid(), d.id(), Outputs.PREVIEW).whenComplete((b, e) -> {
                            if (e != null) {
                                OUT.println("FAILED " + e.getMessage());
                            } else {
                                OUT.println("BORROWING " + b.caps());
                            }
                        });
                        return;
                    }
                }
            }
            seen = names;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
        OUT.println("FAILED no peer offers " + deviceName + " (offered: " + seen + ")");
    }

    /** Reports peer states as they change, and the frames shown while borrowing. */
    private static void watch(Services services) {
        java.util.Map<UUID, String> states = new java.util.HashMap<>();
        while (true) {
            Snapshot s = services.hub().snapshot();
            for (Snapshot.Peer p : s.peers()) {
                String now = p.state().name();
                if (!now.equals(states.put(p.uuid(), now))) {
                    OUT.println("STATE " + p.name() + " " + now);
                }
            }
            UUID from = borrowedFrom;
            if (from != null) {
                long frames = s.borrows().stream().filter(b -> b.peer().equals(from) && !b.waiting())
                        .mapToLong(b -> services.hub().playback(from, b.channel())
                                .map(pb -> pb.framesShown()).orElse(0L)).sum();
                OUT.println("FRAMES " + frames);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Asks the test, one question at a time, and waits for its answer. */
    private static final class Person implements Asker {
        private String answer(String question) {
            OUT.println(question);
            try {
                String a = ANSWERS.poll(60, TimeUnit.SECONDS);
                return a == null ? "" : a;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }

        @Override
        public CompletionStage<Boolean> confirmPairing(String peerName, UUID peer, String code) {
            return CompletableFuture.supplyAsync(() -> answer("CODE " + peerName + " " + code).equals("confirm"),
                    PERSON);
        }

        @Override
        public CompletionStage<SessionHandler.Consent> askConsent(String peerName, UUID peer, String deviceName) {
            return CompletableFuture.supplyAsync(() -> answer("ASK " + peerName + " " + deviceName).equals("allow")
                    ? SessionHandler.Consent.ALLOW_ONCE : SessionHandler.Consent.DENY, PERSON);
        }

        @Override
        public CompletionStage<Boolean> acceptOffer(String peerName, UUID peer, String deviceName) {
            return CompletableFuture.supplyAsync(() -> answer("OFFER " + peerName + " " + deviceName).equals("allow"),
                    PERSON);
        }
    }
}
