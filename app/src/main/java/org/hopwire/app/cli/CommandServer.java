package org.hopwire.app.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.hopwire.app.core.Questions;
import org.hopwire.engine.io.SocketStreams;
import org.hopwire.app.core.Services;
import org.hopwire.app.core.Snapshot;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.kernel.KernelFabric;
import org.hopwire.engine.fabric.kernel.KernelPaths;
import org.hopwire.engine.trust.PeerStore;

/**
 * The local command channel of a running Hopwire (the window or {@code hopwire serve}): a Unix domain socket in the
 * user's runtime folder ({@code $XDG_RUNTIME_DIR/hopwire/}, mode 0700), one per settings folder (so one per host or
 * {@code --root}). A command typed while Hopwire runs comes here and runs on its services, so two processes never set
 * up streams with the same peer; its output goes back to the terminal it was typed in, and {@code pair} asks there.
 *
 * <p>Protocol, one JSON object per line. Client: {@code {"args":[...],"cwd":DIR,"interactive":bool}}, then
 * {@code {"answer":TEXT or null}} for each question. Server: {@code {"out":TEXT}}, {@code {"err":TEXT}},
 * {@code {"ask":PROMPT}}, and last {@code {"exit":N}}. A client that goes away cancels its command.
 *
 * <p>Only the same user may connect: the folder is the user's and 0700, the socket 0600, and the peer's credentials
 * (SO_PEERCRED) are checked.
 */
public final class CommandServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CommandServer.class.getName());
    /** Commands at once: a person types one at a time; more is a runaway script. */
    static final int MAX_CLIENTS = 8;
    /** The longest line a client may send: a command line, not data. */
    static final int MAX_LINE = 64 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();

    private final Services services;
    private final Questions questions;
    private final Optional<Runnable> showWindow;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Semaphore clients = new Semaphore(MAX_CLIENTS);
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private CommandServer(Services services, Questions questions, Optional<Runnable> showWindow, Path socket,
                          ServerSocketChannel server) {
        this.services = services;
        this.questions = questions;
        this.showWindow = showWindow;
        this.socket = socket;
        this.server = server;
        this.acceptor = new Thread(this::accept, "hopwire-commands");
        acceptor.setDaemon(true);
    }

    /**
     * Serves commands for these services (the questions are the ones their hub asks: {@code pair} answers its code
     * there). Fails when another Hopwire answers on the socket already.
     */
    public static CommandServer start(Services services, Questions questions) throws IOException {
        return start(services, questions, Optional.empty());
    }

    /**
     * As above, for a Hopwire with a window: {@code hopwire show}, and a second {@code hopwire} started without a
     * command, run {@code showWindow} (which must be safe to call from any thread) instead of opening another one.
     */
    public static CommandServer start(Services services, Questions questions, Optional<Runnable> showWindow)
            throws IOException {
        Path path = socketFor(services.settings().directory());
        Path dir = path.getParent();
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        if (Files.exists(path)) {
            if (answers(path)) {
                throw new IOException("another Hopwire serves this host's commands already (" + path + "): close it"
                        + " first, or give this one another --config-dir");
            }
            Files.deleteIfExists(path); // stale: its process is gone
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        CommandServer s = new CommandServer(services, questions, showWindow, path, ch);
        s.acceptor.start();
        return s;
    }

    /** The socket for a settings folder: {@code <runtime dir>/hopwire/cmd-<16 hex of its SHA-256>.sock}. */
    public static Path socketFor(Path configDir) {
        String key;
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(configDir.toAbsolutePath().normalize().toString()
                    .getBytes(StandardCharsets.UTF_8));
            key = HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return runtimeDirectory().resolve("cmd-" + key + ".sock");
    }

    /**
     * {@code $XDG_RUNTIME_DIR/hopwire}, else {@code /tmp/hopwire-<user>}; the property {@code hopwire.runtimeDir}
     * replaces it (tests).
     */
    static Path runtimeDirectory() {
        String p = System.getProperty("hopwire.runtimeDir");
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Files.isDirectory(Path.of(xdg))) {
            return Path.of(xdg, "hopwire");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "hopwire-" + System.getProperty("user.name"));
    }

    /** True when a Hopwire (the window or the service) runs with this settings folder and serves its commands. */
    public static boolean runningFor(Path configDir) {
        return answers(socketFor(configDir));
    }

    /** True when something listens on the socket. */
    static boolean answers(Path path) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return c.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    public Path socket() {
        return socket;
    }

    @Override
    public String toString() {
        return "the command socket " + socket;
    }

    private void accept() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "command socket failed: " + e.getMessage());
                }
                return;
            }
            if (!sameUser(c) || !clients.tryAcquire()) {
                close(c);
                continue;
            }
            open.add(c);
            Thread t = new Thread(() -> {
                try {
                    serve(c);
                } finally {
                    open.remove(c);
                    close(c);
                    clients.release();
                }
            }, "hopwire-command");
            t.setDaemon(true);
            t.start();
        }
    }

    private static boolean sameUser(SocketChannel c) {
        try {
            var who = c.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
            boolean same = who.user().getName().equals(System.getProperty("user.name"));
            if (!same) {
                LOG.log(System.Logger.Level.WARNING, "refused a command from user " + who.user().getName());
            }
            return same;
        } catch (IOException | UnsupportedOperationException e) {
            // No credentials to check: the 0700 folder and the 0600 socket still keep other users out.
            return true;
        }
    }

    private static void close(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // gone already
        }
    }

    private void serve(SocketChannel c) {
        Thread self = Thread.currentThread();
        OutputStream raw = output(c);
        Sender send = new Sender(raw);
        BlockingQueue<Optional<String>> answers = new ArrayBlockingQueue<>(4);
        try {
            BufferedReader in = new BufferedReader(new java.io.InputStreamReader(input(c),
                    StandardCharsets.UTF_8));
            JsonNode request = JSON.readTree(readLine(in));
            if (request == null || !request.path("args").isArray()) {
                send.frame("err", "hopwire: a command over the socket starts with {\"args\":[...]}\n");
                send.exit(ExitCode.USAGE);
                return;
            }
            List<String> args = new ArrayList<>();
            request.path("args").forEach(a -> args.add(a.asText()));
            Path cwd = Path.of(request.path("cwd").asText("/"));
            boolean interactive = request.path("interactive").asBoolean(false);
            java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
            Thread reader = new Thread(() -> {
                try {
                    String line;
                    while ((line = readLine(in)) != null) {
                        JsonNode a = JSON.readTree(line).path("answer");
                        answers.offer(a.isNull() || a.isMissingNode() ? Optional.empty() : Optional.of(a.asText()));
                    }
                } catch (IOException e) {
                    // the client went away
                }
                gone.set(true); // before the empty answer, so a question it ends knows why
                answers.offer(Optional.empty());
                self.interrupt(); // cancels a command whose client is gone
            }, "hopwire-command-input");
            reader.setDaemon(true);
            reader.start();
            Remote terminal = new Remote(send, answers, interactive, gone);
            int code = Cli.runIn(args, new Served(terminal, cwd));
            terminal.out().flush();
            terminal.err().flush();
            send.exit(code);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "command connection ended: " + e);
        }
    }

    /** The socket as streams a reader and a writer thread can use at once. */
    static InputStream input(SocketChannel c) {
        return SocketStreams.input(c);
    }

    static OutputStream output(SocketChannel c) {
        return SocketStreams.output(c);
    }

    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder b = new StringBuilder();
        int ch;
        while ((ch = in.read()) >= 0) {
            if (ch == '\n') {
                return b.toString();
            }
            if (b.length() >= MAX_LINE) {
                throw new IOException("line too long");
            }
            b.append((char) ch);
        }
        return b.length() == 0 ? null : b.toString();
    }

    /** Writes frames to the client, one at a time. */
    private static final class Sender {
        private final OutputStream out;

        Sender(OutputStream out) {
            this.out = out;
        }

        synchronized void frame(String kind, String text) throws IOException {
            ObjectNode n = JSON.createObjectNode();
            n.put(kind, text);
            out.write((JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        synchronized void exit(int code) throws IOException {
            ObjectNode n = JSON.createObjectNode();
            n.put("exit", code);
            out.write((JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /** Text written by the command, sent as frames at each line end and flush. */
    private static final class FrameStream extends OutputStream {
        private final Sender send;
        private final String kind;
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

        FrameStream(Sender send, String kind) {
            this.send = send;
            this.kind = kind;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            pending.write(b);
            if (b == '\n' || pending.size() >= 8192) {
                flush();
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            if (pending.size() > 0) {
                String text = pending.toString(StandardCharsets.UTF_8);
                pending.reset();
                send.frame(kind, text);
            }
        }
    }

    /** The client's terminal, over the socket. */
    private static final class Remote extends Terminal {
        private final Sender send;
        private final BlockingQueue<Optional<String>> answers;
        private final java.util.concurrent.atomic.AtomicBoolean gone;

        Remote(Sender send, BlockingQueue<Optional<String>> answers, boolean interactive,
               java.util.concurrent.atomic.AtomicBoolean gone) {
            super(InputStream.nullInputStream(), new PrintStream(new FrameStream(send, "out"), true,
                    StandardCharsets.UTF_8), new PrintStream(new FrameStream(send, "err"), true,
                    StandardCharsets.UTF_8), interactive);
            this.send = send;
            this.answers = answers;
            this.gone = gone;
        }

        @Override
        public boolean gone() {
            return gone.get();
        }

        @Override
        public synchronized Optional<String> ask(String prompt) {
            try {
                out().flush();
                send.frame("ask", prompt);
                return answers.take();
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /** A command's context inside the running Hopwire. */
    private final class Served extends Context {
        private final Terminal terminal;
        private final Path cwd;

        Served(Terminal terminal, Path cwd) {
            this.terminal = terminal;
            this.cwd = cwd;
        }

        @Override
        public Terminal terminal() {
            return terminal;
        }

        @Override
        public Path workingDirectory() {
            return cwd;
        }

        @Override
        public boolean foreground() {
            return false;
        }

        @Override
        public Fabric fabric() {
            return services.fabric();
        }

        @Override
        public PeerStore peerStore() {
            return services.hub().peerStore();
        }

        @Override
        public Optional<Snapshot> live() {
            return Optional.of(services.hub().snapshot());
        }

        @Override
        public Services services() {
            return services;
        }

        @Override
        public Questions questions() {
            return questions;
        }

        @Override
        public Optional<Runnable> showWindow() {
            return showWindow;
        }

        @Override
        public List<Snapshot.Device> localDevices() {
            return services.devices().devices().stream().map(d -> new Snapshot.Device(d.id(), d.name(), d.kind(),
                    d.test(), d.summary())).toList();
        }

        @Override
        public HoldEnd hold(Optional<Duration> duration, BooleanSupplier ended) {
            return HoldEnd.STOPPED;
        }

        @Override
        public Optional<String> whyNotOn(Optional<Fabrics.Choice> fabric, Optional<Path> root) {
            Fabric running = services.fabric();
            Optional<KernelPaths> paths = running instanceof KernelFabric k ? Optional.of(k.paths())
                    : Optional.empty();
            String asked;
            boolean same;
            if (root.isPresent()) {
                asked = "--root " + root.get();
                same = paths.map(p -> p.equals(KernelPaths.under(root.get()))).orElse(false);
            } else if (fabric.isPresent()) {
                Fabrics.Choice c = fabric.get();
                asked = "--fabric=" + c.name().toLowerCase(java.util.Locale.ROOT);
                boolean kernel = c == Fabrics.Choice.KERNEL
                        || (c == Fabrics.Choice.AUTO && Fabrics.kernelUnavailableReason().isEmpty());
                same = kernel ? paths.map(p -> p.equals(KernelPaths.SYSTEM)).orElse(false)
                        : running.kind().equals("emulated");
            } else {
                return Optional.empty();
            }
            if (same) {
                return Optional.empty();
            }
            String runs = paths.isEmpty() ? "the emulated demo (--fabric=emulated)"
                    : paths.get().equals(KernelPaths.SYSTEM) ? "this machine's driver (--fabric=kernel)"
                    : "the kernel interface under " + paths.get().dev().getParent() + " (--root)";
            return Optional.of("this command asked for " + asked + ", but the Hopwire running for "
                    + services.settings().directory() + " runs on " + runs + ", and commands typed while it runs"
                    + " act on its fabric. Leave " + asked.replaceAll("[ =].*", "") + " out to use it, close it"
                    + " first, or give this command its own --config-dir");
        }

        @Override
        public void close() {
        }
    }

    /** Stops serving: the socket goes, commands running now are cut off. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        open.forEach(CommandServer::close);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove " + socket + ": " + e.getMessage());
        }
    }
}
