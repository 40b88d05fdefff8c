package org.hopwire.app.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.hopwire.app.core.Services;
import org.hopwire.app.service.Serve;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.emulator.Emulator;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The commands that are a process of their own, never run inside a running Hopwire. */
final class ProcessCommands {
    private ProcessCommands() {
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = {"Runs Hopwire without a window, for"
        + " machines without a display and the background service (systemd), until SIGTERM or Ctrl+C."})
    static final class Serve implements Callable<Integer> {
        @ParentCommand
        HopwireCommand parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = "the service's config file (which peers may"
                + " borrow which devices, consent policy); default: the standard place")
        Optional<Path> config = Optional.empty();

        @Override
        public Integer call() {
            return org.hopwire.app.service.Serve.run(new org.hopwire.app.service.Serve.Options(
                    config.map(p -> p.toAbsolutePath().normalize()), parent.globals().root(), parent.fabric),
                    stream(spec.commandLine().getOut()), stream(spec.commandLine().getErr()),
                    new org.hopwire.app.service.CommandChannel() {
                        @Override
                        public boolean runningFor(java.nio.file.Path settingsDir) {
                            return CommandServer.runningFor(settingsDir);
                        }

                        @Override
                        public AutoCloseable start(org.hopwire.app.core.Services services,
                                                   org.hopwire.app.core.Questions questions)
                                throws java.io.IOException {
                            return CommandServer.start(services, questions);
                        }
                    });
        }
    }

    static java.io.PrintStream stream(java.io.PrintWriter w) {
        return new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                w.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                w.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
                w.flush();
            }
        }, true, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = {"Prints the hosts on the cable and the"
        + " streams, then exits (no display needed)."})
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand
        HopwireCommand parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            java.io.PrintWriter out = spec.commandLine().getOut();
            Fabrics.Choice choice = parent.fabric.orElse(Fabrics.Choice.AUTO);
            Optional<Path> root = parent.globals().root();
            try (Fabric fabric = root.isPresent() ? Fabrics.openAt(root.get())
                    : Fabrics.open(choice, org.hopwire.app.core.HostNames.machine(System.getenv()))) {
                out.println(root.map(Services::describeRoot)
                        .orElseGet(() -> Services.describe(fabric.kind(), choice, parent.fabric.isPresent())));
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
                out.flush();
                return ExitCode.OK;
            } catch (FabricException e) {
                // 'list' kept its status from before the command line had more (scripts may test for 1).
                throw new CliException(ExitCode.FAILED, e.getMessage());
            }
        }
    }

    @Command(name = "emulate", mixinStandardHelpOptions = true, description = {"Serves emulated hosts on one"
        + " emulated cable as files under DIR (needs root and FUSE): DIR/<host>/sys, DIR/<host>/dev/tbstreamN,"
        + " DIR/cables/<a>-<b>/plugged (write 0 to pull the cable, 1 to plug it). Runs until Ctrl+C or SIGTERM."})
    static final class Emulate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--mount", paramLabel = "DIR", description = "the folder to serve the hosts in")
        Path mount;

        @Option(names = "--hosts", paramLabel = "a,b", description = "the hosts' names (default alpha,beta)")
        String hosts = "alpha,beta";

        @Option(names = "--preset", paramLabel = "40g|unthrottled", description = "the cable (default 40g)")
        String preset = "40g";

        @Option(names = "--user", paramLabel = "NAME", description = "a user who may run Hopwire on the hosts"
                + " without root")
        Optional<String> user = Optional.empty();

        @Option(names = "--device-group", paramLabel = "G", description = "a group whose members may open the"
                + " device nodes, as Hopwire's udev rule makes it")
        Optional<String> deviceGroup = Optional.empty();

        @Override
        public Integer call() {
            EmulateSpec o;
            try {
                o = EmulateSpec.of(mount, hosts, preset, deviceGroup, user);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.USAGE, e.getMessage());
            }
            return emulate(o, ProcessCommands.stream(spec.commandLine().getOut()),
                    ProcessCommands.stream(spec.commandLine().getErr()));
        }
    }

    /** Serves emulated hosts as files until stopped; see {@link Emulator}. */
    static int emulate(EmulateSpec o, java.io.PrintStream out, java.io.PrintStream err) {
        Optional<Integer> gid = Optional.empty();
        if (o.deviceGroup().isPresent()) {
            gid = idFrom(Path.of("/etc/group"), o.deviceGroup().get());
            if (gid.isEmpty()) {
                err.println("hopwire: there is no group '" + o.deviceGroup().get() + "' (see /etc/group): create it"
                        + " with 'groupadd --system " + o.deviceGroup().get() + "', or leave --device-group out");
                return ExitCode.USAGE;
            }
        }
        Optional<Integer> uid = Optional.empty();
        if (o.user().isPresent()) {
            uid = o.user().get().matches("[0-9]{1,9}") ? Optional.of(Integer.parseInt(o.user().get()))
                    : idFrom(Path.of("/etc/passwd"), o.user().get());
            if (uid.isEmpty()) {
                err.println("hopwire: there is no user '" + o.user().get() + "' (see /etc/passwd)");
                return ExitCode.USAGE;
            }
        }
        Emulator emulator;
        try {
            emulator = Emulator.start(new Emulator.Options(o.mount(), o.hosts(),
                    o.preset().equals("40g") ? CableProfile.USB4_40G : CableProfile.UNTHROTTLED,
                    EmulatedWorld.Settings.DRIVER, gid, uid));
        } catch (IOException | IllegalArgumentException e) {
            err.println("hopwire: " + e.getMessage());
            return ExitCode.FAILED;
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
        return ExitCode.OK;
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

    @Command(name = "completion", mixinStandardHelpOptions = true, description = {"Prints the bash completion"
        + " script (zsh: after 'autoload -U bashcompinit && bashcompinit'). Try: source <(hopwire completion)."
        + " Packages install it as /usr/share/bash-completion/completions/hopwire."})
    static final class Completion implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(AutoComplete.bash("hopwire", spec.root().commandLine()));
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }
    }
}
