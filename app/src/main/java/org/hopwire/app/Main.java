package org.hopwire.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import javafx.application.Application;

import org.hopwire.app.core.Services;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.emulator.Emulator;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
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
            case "emulate" -> {
                return emulate(options.emulate().orElseThrow(), out, err);
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

    /** Serves emulated hosts as files until stopped; see {@link Emulator}. */
    private static int emulate(LaunchOptions.EmulateOptions o, PrintStream out, PrintStream err) {
        Optional<Integer> gid = Optional.empty();
        if (o.deviceGroup().isPresent()) {
            gid = groupId(o.deviceGroup().get());
            if (gid.isEmpty()) {
                err.println("hopwire: there is no group '" + o.deviceGroup().get() + "' (see /etc/group): create it"
                        + " with 'groupadd --system " + o.deviceGroup().get() + "', or leave --device-group out");
                return 2;
            }
        }
        Optional<Integer> uid = Optional.empty();
        if (o.user().isPresent()) {
            uid = userId(o.user().get());
            if (uid.isEmpty()) {
                err.println("hopwire: there is no user '" + o.user().get() + "' (see /etc/passwd)");
                return 2;
            }
        }
        Emulator emulator;
        try {
            emulator = Emulator.start(new Emulator.Options(o.mount(), o.hosts(),
                    o.preset().equals("40g") ? CableProfile.USB4_40G : CableProfile.UNTHROTTLED,
                    EmulatedWorld.Settings.DRIVER, gid, uid));
        } catch (IOException | IllegalArgumentException e) {
            err.println("hopwire: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "hopwire-emulate-stop"));
        Path m = emulator.mount();
        out.println("Emulating " + String.join(", ", o.hosts()) + " on " + (o.hosts().size() - 1)
                + (o.hosts().size() == 2 ? " cable" : " cables") + " (" + o.preset() + "), served under " + m + ":");
        for (String h : o.hosts()) {
            out.println("  " + m.resolve(h) + "   /sys and /dev of " + h + ": ./hopwire --root " + m.resolve(h));
        }
        for (String c : emulator.cables().keySet()) {
            out.println("  " + m.resolve("cables").resolve(c).resolve("plugged")
                    + "   write 0 to pull the cable, 1 to plug it");
        }
        String sudoUser = System.getenv("SUDO_USER");
        if (o.user().isPresent()) {
            out.println(o.user().get() + " may run Hopwire on these hosts without root (ConfigFS, devices, cables).");
        } else if (sudoUser != null && !sudoUser.isBlank() && !sudoUser.equals("root")) {
            out.println("Only root may change ConfigFS here, as on a real machine. To run the windows as " + sudoUser
                    + " instead, start this with --user " + sudoUser + ".");
        }
        out.println("Stop with Ctrl+C (or SIGTERM): the folder is unmounted.");
        out.flush();
        try {
            emulator.awaitEnd(Long.MAX_VALUE, java.util.concurrent.TimeUnit.DAYS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        emulator.close();
        err.println("hopwire: " + m + " was unmounted; the emulator stopped");
        return 0;
    }

    /** A user's number from /etc/passwd, or the number itself. */
    private static Optional<Integer> userId(String name) {
        if (name.matches("[0-9]{1,9}")) {
            return Optional.of(Integer.parseInt(name));
        }
        return idFrom(Path.of("/etc/passwd"), name);
    }

    /** A group's number from /etc/group, as udev would look it up. */
    private static Optional<Integer> groupId(String name) {
        return idFrom(Path.of("/etc/group"), name);
    }

    /** The number in the third field of the line of {@code name} in a passwd-style file. */
    private static Optional<Integer> idFrom(Path file, String name) {
        try {
            for (String line : java.nio.file.Files.readAllLines(file)) {
                String[] f = line.split(":");
                if (f.length >= 3 && f[0].equals(name)) {
                    return Optional.of(Integer.parseInt(f[2]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static int list(LaunchOptions options, PrintStream out, PrintStream err) {
        Fabrics.Choice choice = options.fabric().orElse(Fabrics.Choice.AUTO);
        try (Fabric fabric = options.root().isPresent() ? Fabrics.openAt(options.root().get())
                : Fabrics.open(choice, LaunchOptions.localHostName())) {
            out.println(options.root().map(Services::describeRoot)
                    .orElseGet(() -> Services.describe(fabric.kind(), choice, options.fabric().isPresent())));
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
