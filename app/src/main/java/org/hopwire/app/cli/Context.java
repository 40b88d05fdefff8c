package org.hopwire.app.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.app.core.Snapshot;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.trust.PeerStore;

/**
 * What a command runs on: in a one-shot process ({@link LocalContext}: opened on demand, closed when the command
 * ends) or inside a running Hopwire over the command socket ({@link CommandServer}: its services, the client's
 * terminal). The commands are the same code either way.
 */
public abstract class Context implements AutoCloseable {
    /** Why {@link #hold} returned. */
    public enum HoldEnd { TIME_UP, STOPPED, ENDED }

    public abstract Terminal terminal();

    /** The folder relative paths on the command line are relative to (the client's, over the socket). */
    public abstract Path workingDirectory();

    /**
     * True in a one-shot process: lends and borrows last as long as the command does. False inside a running
     * Hopwire, which holds them after the command returned.
     */
    public abstract boolean foreground();

    /** The fabric, for reading the cable and the streams; opening it starts no session. */
    public abstract Fabric fabric();

    /** The pairings this host keeps. */
    public abstract PeerStore peerStore();

    /** The hub's snapshot when the services run already (inside a running Hopwire); empty otherwise. */
    public abstract Optional<Snapshot> live();

    /** The app's services (the fabric, devices, sessions), opened now if they are not yet. */
    public abstract Services services();

    /** Where the sessions' questions wait for an answer. */
    public abstract Questions questions();

    /** Brings the running Hopwire's window back, when this runs inside one that has a window. */
    public Optional<Runnable> showWindow() {
        return Optional.empty();
    }

    /** This host's devices, without starting sessions. */
    public abstract List<Snapshot.Device> localDevices();

    /**
     * Waits until {@code ended} is true, {@code duration} (if any) has passed, or the person stops the command
     * (Ctrl+C, SIGTERM); a context that does not hold in the foreground returns {@link HoldEnd#STOPPED} at once.
     */
    public abstract HoldEnd hold(Optional<Duration> duration, BooleanSupplier ended) throws InterruptedException;

    /**
     * Why a command that asked for this fabric or root cannot run here (it came to a running Hopwire that runs on
     * another); empty when it can, or when it asked for none. A one-shot context opens what was asked.
     */
    public Optional<String> whyNotOn(Optional<Fabrics.Choice> fabric, Optional<Path> root) {
        return Optional.empty();
    }

    @Override
    public abstract void close();
}
