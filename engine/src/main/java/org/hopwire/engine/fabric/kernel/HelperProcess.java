package org.hopwire.engine.fabric.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.io.SocketStreams;

/**
 * One running privileged helper, started through a {@link HelperLauncher}: sends request lines and waits, bounded, for
 * the answer lines ({@code ok} or {@code err <errno>}). Not thread-safe: its owner sends one request at a time.
 *
 * <p>The helper's stderr is passed on to this process's stderr, and its last lines are kept for messages.
 */
public final class HelperProcess implements AutoCloseable {
    /** What the reader thread puts in the queue at the end of the helper's stdout. */
    private static final String EOF = new String("EOF");
    private static final int STDERR_LINES_KEPT = 5;

    private final HelperLauncher launcher;
    private final String action;
    /** The helper's process; null when connected to a helper through a socket. */
    private final Process process;
    /** The connection to a socket-activated helper; null for a process. */
    private final SocketChannel channel;
    private final OutputStream stdin;
    /** Answers as they arrive; at most one is outstanding, so a few slots are plenty. */
    private final BlockingQueue<String> answers = new ArrayBlockingQueue<>(4);
    private final Deque<String> stderrTail = new ArrayDeque<>();
    /** Passes the helper's stderr on; null for a helper reached through a socket. */
    private final Thread stderrReader;

    private HelperProcess(HelperLauncher launcher, String action, Process process) {
        this.launcher = launcher;
        this.action = action;
        this.process = process;
        this.channel = null;
        this.stdin = process.getOutputStream();
        daemon("hopwire-helper-answers", () -> readAnswers(process.getInputStream()));
        this.stderrReader = daemon("hopwire-helper-stderr", () -> passOnStderr(process.getErrorStream()));
    }

    private HelperProcess(HelperLauncher launcher, String action, SocketChannel channel) {
        this.launcher = launcher;
        this.action = action;
        this.process = null;
        this.channel = channel;
        this.stderrReader = null;
        this.stdin = SocketStreams.output(channel);
        InputStream in = SocketStreams.input(channel);
        daemon("hopwire-helper-answers", () -> readAnswers(in));
    }

    /**
     * Starts the helper in {@code mode}.
     *
     * @param action the polkit action it runs under, for messages
     * @throws HelperFailedException (EACCES) when it cannot be started here
     */
    public static HelperProcess start(HelperLauncher launcher, String mode, String action)
            throws HelperFailedException {
        Optional<String> why = launcher.unavailableReason();
        if (why.isPresent()) {
            throw new HelperFailedException(Errno.EACCES.number(), why.get());
        }
        if (launcher.socketPath().isPresent()) {
            return connect(launcher, mode, action, launcher.socketPath().get());
        }
        try {
            Process p = new ProcessBuilder(launcher.command(mode)).start();
            return new HelperProcess(launcher, action, p);
        } catch (IOException e) {
            throw new HelperFailedException(Errno.EACCES.number(), "cannot start Hopwire's privileged helper ("
                    + launcher + "): " + e.getMessage() + ". Install the Hopwire package, which brings the helper,"
                    + " or run Hopwire as root");
        }
    }

    /** The socket's helpers serve {@code configfs} only (hopwire-helper@.service runs that mode). */
    private static HelperProcess connect(HelperLauncher launcher, String mode, String action, Path socket)
            throws HelperFailedException {
        if (!mode.equals("configfs")) {
            throw new HelperFailedException(Errno.EACCES.number(), "the helper socket " + socket + " only changes"
                    + " USB4STREAM streams; " + mode + " needs the helper through pkexec in a desktop session, or"
                    + " root");
        }
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return new HelperProcess(launcher, action, ch);
        } catch (IOException e) {
            throw new HelperFailedException(Errno.EACCES.number(), "cannot reach Hopwire's helper at " + socket
                    + ": " + e.getMessage() + ". The service's user must be in the 'hopwire' group, and"
                    + " hopwire-helper.socket enabled ('systemctl enable --now hopwire-helper.socket')");
        }
    }

    public boolean isAlive() {
        return process != null ? process.isAlive() : channel.isOpen();
    }

    /** The helper's process; empty for a helper reached through a socket (it runs under systemd). */
    public Optional<ProcessHandle> process() {
        return process == null ? Optional.empty() : Optional.of(process.toHandle());
    }

    /**
     * Sends one request line and waits up to {@code timeout} for its answer: 0 for {@code ok}, else the errno.
     *
     * @throws HelperFailedException when the helper ended, answered nonsense, or did not answer in time (it is then
     *                               let go: its stdin is closed, so it ends as soon as it reads again)
     */
    public int request(String line, Duration timeout) throws HelperFailedException, InterruptedException {
        try {
            stdin.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
        } catch (IOException e) {
            throw ended();
        }
        String answer = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (answer == null) {
            close(Duration.ZERO);
            throw new HelperFailedException(Errno.ETIMEDOUT.number(), "Hopwire's privileged helper did not answer"
                    + " within " + timeout.toSeconds() + " s (asked: " + line + "); it was let go and the next"
                    + " change starts a new one. If an authentication dialog is open, answer it");
        }
        if (answer == EOF) {
            answers.offer(EOF); // stays ended for any later call
            throw ended();
        }
        if (answer.equals("ok")) {
            return 0;
        }
        if (answer.startsWith("err ")) {
            try {
                int errno = Integer.parseInt(answer.substring(4));
                if (errno > 0) {
                    return errno;
                }
            } catch (NumberFormatException e) {
                // falls through to nonsense
            }
        }
        close(Duration.ZERO);
        throw new HelperFailedException(Errno.EIO.number(), "Hopwire's privileged helper answered '"
                + answer.replaceAll("[^ -~]", "?") + "' to '" + line + "': is the launcher (" + launcher
                + ") really the helper?");
    }

    private HelperFailedException ended() throws InterruptedException {
        if (process == null) {
            return new HelperFailedException(Errno.EIO.number(), "Hopwire's helper at " + launcher.socketPath()
                    .orElseThrow() + " closed the connection; see 'journalctl -u \"hopwire-helper@*\"'");
        }
        // Its stdout ended: it exits at once (or has), so a short wait gives the status that says why.
        Integer status = process.waitFor(2, TimeUnit.SECONDS) ? process.exitValue() : null;
        // Its last words (pkexec's "Not authorized") may still be on their way through the stderr thread.
        stderrReader.join(1000);
        String tail;
        synchronized (stderrTail) {
            tail = String.join("; ", stderrTail);
        }
        return new HelperFailedException(status != null && (status == HelperLauncher.PKEXEC_DISMISSED
                || status == HelperLauncher.PKEXEC_NOT_AUTHORISED) ? Errno.EACCES.number() : Errno.EIO.number(),
                status == null ? "Hopwire's privileged helper stopped answering" : launcher.explainExit(status, action,
                        tail));
    }

    /** Closes the helper's stdin, which ends it, and waits up to {@code grace} for it to exit. */
    public void close(Duration grace) {
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        if (process == null) {
            try {
                channel.close();
            } catch (IOException e) {
                // already gone
            }
            return;
        }
        try {
            process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }

    private void readAnswers(InputStream out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(out, StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                // A helper that chats past its answers is not trusted with the queue: bounded, latest dropped.
                if (!answers.offer(line.length() > 64 ? line.substring(0, 64) : line)) {
                    break;
                }
            }
        } catch (IOException e) {
            // the stream ended with the process
        } finally {
            if (!answers.offer(EOF)) {
                answers.clear();
                answers.offer(EOF);
            }
        }
    }

    private void passOnStderr(InputStream err) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.err.println(line);
                synchronized (stderrTail) {
                    stderrTail.addLast(line.length() > 300 ? line.substring(0, 300) : line);
                    while (stderrTail.size() > STDERR_LINES_KEPT) {
                        stderrTail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // ended
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
