package org.hopwire.app.service;

import java.util.ArrayList;
import java.util.List;

/**
 * SIGTERM (systemd stopping the service) and SIGINT (Ctrl+C) as a request to stop, so the service ends its
 * sessions, removes its streams and exits 0. Without this the JVM would run its shutdown hooks and exit 143, which
 * systemd records as a failure. Uses the JDK's {@code sun.misc.Signal} (module jdk.unsupported); where that is
 * missing, the JVM's default handling stays and the unit's {@code SuccessExitStatus=143} covers it.
 */
final class StopSignals {
    private StopSignals() {
    }

    /** Installs handlers that call {@code stop}; returns what puts the previous handlers back. */
    static List<Runnable> install(Runnable stop) {
        List<Runnable> restore = new ArrayList<>();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal signal = new sun.misc.Signal(name);
                sun.misc.SignalHandler previous = sun.misc.Signal.handle(signal, s -> stop.run());
                restore.add(() -> sun.misc.Signal.handle(signal, previous));
            } catch (IllegalArgumentException | LinkageError e) {
                // the signal is reserved or the JDK lacks jdk.unsupported: the default handling stays
            }
        }
        return restore;
    }
}
