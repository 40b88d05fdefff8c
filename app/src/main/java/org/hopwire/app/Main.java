package org.hopwire.app;

import java.io.PrintStream;
import java.util.List;

import javafx.application.Application;

import org.hopwire.app.core.Services;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamInfo;

/** Hopwire's entry point: the desktop app, or a headless command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int status = run(List.of(args), System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the command line; returns the exit status (0 fine, 1 failed, 2 bad arguments). */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("hopwire: " + e.getMessage());
            err.println(LaunchOptions.USAGE);
            return 2;
        }
        switch (options.command()) {
            case "help" -> {
                out.println(LaunchOptions.USAGE);
                return 0;
            }
            case "list" -> {
                return list(options, out, err);
            }
            default -> {
                if (!hasDisplay()) {
                    err.println("hopwire: there is no display to open a window on (neither DISPLAY nor"
                            + " WAYLAND_DISPLAY is set). Run it in a desktop session, or use './hopwire list' to"
                            + " see the hosts and streams as text.");
                    return 1;
                }
                Application.launch(HopwireApp.class, args.toArray(String[]::new));
                return 0;
            }
        }
    }

    private static boolean hasDisplay() {
        return System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null
                || "Monocle".equals(System.getProperty("glass.platform"));
    }

    private static int list(LaunchOptions options, PrintStream out, PrintStream err) {
        Fabrics.Choice choice = options.fabric().orElse(Fabrics.Choice.AUTO);
        try (Fabric fabric = Fabrics.open(choice, LaunchOptions.localHostName())) {
            out.println(Services.describe(fabric.kind(), choice, options.fabric().isPresent()));
            out.println("This host: " + fabric.localHostUuid());
            List<PeerHost> peers = fabric.peers();
            out.println("Hosts on the cable: " + (peers.isEmpty() ? "none" : peers.size()));
            for (PeerHost p : peers) {
                out.printf("  %-6s %-20s %s  %d x %d Gb/s  USB4STREAM: %s%n", p.id(), p.deviceName(),
                        p.uuid().toString().substring(0, 8), p.rxLanes(), p.rxSpeedGbps(),
                        p.streamService().map(s -> s.name()).orElse("not offered"));
            }
            List<StreamInfo> streams = fabric.streams();
            out.println("Streams: " + (streams.isEmpty() ? "none" : streams.size()));
            for (StreamInfo s : streams) {
                out.printf("  %-16s /dev/%-10s HopIDs in %d out %d  ring %d  throttling %d ns  %s%s%n",
                        s.address(), s.deviceName(), s.inHopId(), s.outHopId(), s.ringSize(), s.throttlingNs(),
                        s.attached() ? "attached" : "waiting for peer", s.open() ? ", open" : "");
            }
            return 0;
        } catch (FabricException e) {
            err.println("hopwire: " + e.getMessage());
            return 1;
        }
    }
}
