package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import org.hopwire.engine.fabric.Errno;

/**
 * ConfigFS changed through Hopwire's privileged helper, for a process that may not write ConfigFS itself: the helper
 * is started once, when the first change is asked for (through pkexec by default, see {@link HelperLauncher}), and
 * sent one request line per change, in terms relative to the ConfigFS root.
 *
 * <p>Its answers are errno numbers, turned into {@link SyscallException}s exactly as {@link #DIRECT} reports a failed
 * call, so {@link KernelFabric} types them the same way. The helper's own failures (not installed, authentication
 * dismissed, not authorised, no answer in time, ended) are {@link HelperFailedException}s whose messages say what to
 * do. Requests go one at a time; a helper that died is started again at the next change; {@link #close()} closes its
 * stdin, which ends it.
 */
public final class HelperConfigFs implements ConfigFs {
    /** The first answer includes starting the helper and, through pkexec, the person answering a dialog. */
    public static final Duration DEFAULT_FIRST_ANSWER = Duration.ofSeconds(120);
    /** A ConfigFS change takes the driver microseconds; this much without an answer is a hung helper. */
    public static final Duration DEFAULT_ANSWER = Duration.ofSeconds(10);

    private final Path root;
    private final HelperLauncher launcher;
    private final Duration firstAnswer;
    private final Duration answer;
    private HelperProcess helper;
    private boolean closed;

    /** @param root the ConfigFS root the fabric sees, {@code .../config/thunderbolt/stream}; paths are made relative to it */
    public HelperConfigFs(Path root, HelperLauncher launcher) {
        this(root, launcher, DEFAULT_FIRST_ANSWER, DEFAULT_ANSWER);
    }

    public HelperConfigFs(Path root, HelperLauncher launcher, Duration firstAnswer, Duration answer) {
        this.root = Objects.requireNonNull(root, "root");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        this.firstAnswer = firstAnswer;
        this.answer = answer;
    }

    @Override
    public void mkdir(Path dir) throws IOException {
        send("mkdir " + String.join(" ", relative(dir, "mkdir", 1, 2)), "mkdir", dir);
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        send("rmdir " + String.join(" ", relative(dir, "rmdir", 1, 2)), "rmdir", dir);
    }

    @Override
    public void write(Path attribute, String value) throws IOException {
        String[] parts = relative(attribute, "write", 3, 3);
        if (!value.matches("-?[0-9]+")) {
            // The helper takes only decimal integers; what the driver would answer to anything else.
            throw new SyscallException(Errno.EINVAL, "write (not a number)", attribute.toString());
        }
        send("write " + String.join(" ", parts) + " " + value, "write", attribute);
    }

    /** The path's components below the root, {@code min..max} of them, or EINVAL without asking the helper. */
    private String[] relative(Path path, String call, int min, int max) throws SyscallException {
        Path rel = path.startsWith(root) ? root.relativize(path) : null;
        if (rel == null || rel.getNameCount() < min || rel.getNameCount() > max || rel.toString().isEmpty()) {
            throw new SyscallException(Errno.EINVAL, call + " (not below " + root + ")", path.toString());
        }
        String[] parts = new String[rel.getNameCount()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = rel.getName(i).toString();
            if (!parts[i].matches("[A-Za-z0-9_.-]+")) {
                // The helper would refuse it (a space would even change the request): say EINVAL here.
                throw new SyscallException(Errno.EINVAL, call, path.toString());
            }
        }
        return parts;
    }

    private synchronized void send(String line, String call, Path path) throws IOException {
        if (closed) {
            throw new HelperFailedException(Errno.EIO.number(), "the ConfigFS helper is closed");
        }
        Duration wait = answer;
        if (helper == null || !helper.isAlive()) {
            if (helper != null) {
                helper.close(Duration.ZERO);
            }
            helper = null;
            helper = HelperProcess.start(launcher, "configfs", HelperLauncher.CONFIGURE_STREAMS_ACTION);
            wait = firstAnswer;
        }
        int errno;
        try {
            errno = helper.request(line, wait);
        } catch (HelperFailedException e) {
            helper = null; // let go; the next change starts a new one
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            helper.close(Duration.ZERO);
            helper = null;
            throw new InterruptedIOException("interrupted while waiting for the ConfigFS helper");
        }
        if (errno != 0) {
            throw new SyscallException(errno, call + " (through the helper)", path.toString());
        }
    }

    /** The helper's process while one runs, for tests. */
    synchronized java.util.Optional<ProcessHandle> helperProcess() {
        return helper == null ? java.util.Optional.empty() : helper.process();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (helper != null) {
            helper.close(Duration.ofSeconds(2));
            helper = null;
        }
    }

    @Override
    public String toString() {
        return "ConfigFS through the privileged helper (" + launcher + ")";
    }
}
