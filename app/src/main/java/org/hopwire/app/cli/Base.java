package org.hopwire.app.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.hopwire.app.core.Hub;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Snapshot;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.trust.PairedPeer;

import picocli.CommandLine.ParentCommand;

/** What the commands share: their context, names, waiting for a session, JSON. */
abstract class Base implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();
    /** How often waits look at the hub's snapshot. */
    private static final long POLL_MS = 100;

    @ParentCommand
    HopwireCommand parent;

    Context ctx() {
        return parent.context;
    }

    PrintStream out() {
        return ctx().terminal().out();
    }

    PrintStream err() {
        return ctx().terminal().err();
    }

    void json(Object value) {
        try {
            out().println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCode.FAILED, "could not write JSON: " + e.getMessage());
        }
    }

    /** The hosts on the cable now. */
    List<PeerHost> cable() {
        try {
            return ctx().fabric().peers();
        } catch (FabricException e) {
            throw LocalContext.failure(e);
        }
    }

    /** The pairings kept. */
    List<PairedPeer> pairings() {
        try {
            return ctx().peerStore().list();
        } catch (IOException e) {
            throw new CliException(ExitCode.PERMISSION, "cannot read the pairings in " + ctx().peerStore().directory()
                    + ": " + e.getMessage());
        }
    }

    /** A peer on the cable (offering Hopwire's service) by name, UUID, prefix or cable id. */
    Names.PeerRef peerOnCable(String given) {
        List<Names.PeerRef> refs = new ArrayList<>();
        for (PeerHost p : cable()) {
            if (p.streamService().isPresent()) {
                refs.add(new Names.PeerRef(p.uuid(), p.deviceName(), p.id()));
            }
        }
        return Names.peer(given, refs, "on the cable");
    }

    Hub hub() {
        return ctx().services().hub();
    }

    /** Waits (bounded) until the hub shows the peer and {@code until} holds; the last view, or empty. */
    Optional<Snapshot.Peer> await(UUID peer, Duration timeout, Predicate<Snapshot.Peer> until)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        Optional<Snapshot.Peer> p = hub().snapshot().peer(peer);
        while (System.nanoTime() < end && !p.map(until::test).orElse(false)) {
            Thread.sleep(POLL_MS);
            p = hub().snapshot().peer(peer);
        }
        return p;
    }

    /**
     * The peer with a ready (paired, authenticated) session and its catalog; else {@link ExitCode#NOT_PAIRED}
     * saying what to do.
     */
    Snapshot.Peer ready(Names.PeerRef ref, String given, Duration timeout) throws InterruptedException {
        Optional<Snapshot.Peer> p = await(ref.uuid(), timeout, s -> s.state() == PeerState.PAIRED
                || s.state() == PeerState.PAIRING || s.state() == PeerState.NOT_PAIRED);
        if (p.isPresent() && p.get().state() == PeerState.PAIRED && p.get().devices().isEmpty()) {
            // READY comes a moment before the peer's catalog.
            p = await(ref.uuid(), Duration.ofSeconds(2), s -> !s.devices().isEmpty());
        }
        String name = ref.name() + " (" + ref.uuid().toString().substring(0, 8) + ")";
        if (p.isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, name + " is no longer on the cable");
        }
        return switch (p.get().state()) {
            case PAIRED -> p.get();
            case PAIRING, NOT_PAIRED -> throw new CliException(ExitCode.NOT_PAIRED, name + " is not paired"
                    + (p.get().detail().isEmpty() || p.get().state() == PeerState.PAIRING ? ""
                    : " (" + p.get().detail() + ")") + ": run 'hopwire pair " + quote(given) + "' first");
            default -> throw new CliException(ExitCode.NOT_PAIRED, "the session with " + name + " was not ready"
                    + " within " + timeout.toSeconds() + " s (" + p.get().state().label() + (p.get().detail()
                    .isEmpty() ? "" : ": " + p.get().detail()) + "). Is Hopwire running there? Try again, or give"
                    + " more time with --timeout");
        };
    }

    static String quote(String s) {
        return s.matches("[A-Za-z0-9._:/-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    static String kind(int kind) {
        return kind == org.hopwire.engine.protocol.ControlMessage.Device.VIDEO ? "video"
                : kind == org.hopwire.engine.protocol.ControlMessage.Device.AUDIO ? "audio"
                : kind == org.hopwire.engine.protocol.ControlMessage.Device.AUDIO_VIDEO ? "av" : "other";
    }

    static List<Names.DeviceRef> refs(List<Snapshot.Device> devices) {
        return devices.stream().map(d -> new Names.DeviceRef(d.id(), d.name())).toList();
    }

    static Throwable cause(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
