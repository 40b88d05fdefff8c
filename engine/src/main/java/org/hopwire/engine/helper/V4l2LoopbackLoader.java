package org.hopwire.engine.helper;

import java.time.Duration;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.kernel.HelperFailedException;
import org.hopwire.engine.fabric.kernel.HelperLauncher;
import org.hopwire.engine.fabric.kernel.HelperProcess;

/**
 * Loads the v4l2loopback module with the options Hopwire's virtual webcam needs, through the privileged helper in its
 * {@code v4l2loopback} mode (polkit action {@value HelperLauncher#LOAD_V4L2LOOPBACK_ACTION}): one {@code load}
 * request, then the helper is closed.
 */
public final class V4l2LoopbackLoader {
    /** Loading includes the person answering the authentication dialog. */
    static final Duration ANSWER = Duration.ofSeconds(120);

    private final HelperLauncher launcher;

    public V4l2LoopbackLoader() {
        this(HelperLauncher.configured());
    }

    public V4l2LoopbackLoader(HelperLauncher launcher) {
        this.launcher = launcher;
    }

    /**
     * Asks the helper to load the module; returns when it is loaded.
     *
     * @throws LoadFailedException with a message saying why and what to do
     */
    public void load() throws LoadFailedException, InterruptedException {
        try (HelperProcess helper = HelperProcess.start(launcher, "v4l2loopback",
                HelperLauncher.LOAD_V4L2LOOPBACK_ACTION)) {
            int errno = helper.request("load", ANSWER);
            if (errno != 0) {
                throw new LoadFailedException(errno, explain(errno));
            }
        } catch (HelperFailedException e) {
            throw new LoadFailedException(e.number(), "could not load v4l2loopback: " + e.getMessage());
        }
    }

    private static String explain(int errno) {
        if (errno == Errno.ENOENT.number()) {
            return "the v4l2loopback module is not installed: install it (sudo apt-get install v4l2loopback-dkms),"
                    + " then try again";
        }
        if (errno == Errno.ENOEXEC.number()) {
            return "modprobe is missing on this machine (package kmod), so v4l2loopback cannot be loaded";
        }
        if (errno == Errno.ETIMEDOUT.number()) {
            return "loading v4l2loopback did not finish in time; 'sudo dmesg' may say why";
        }
        return "the v4l2loopback module did not load (errno " + errno + "): 'sudo dmesg' says why; a module built"
                + " for another kernel needs 'sudo dpkg-reconfigure v4l2loopback-dkms'";
    }

    /** Loading failed; the message says why and what to do, {@link #errno()} is the helper's answer. */
    public static final class LoadFailedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int errno;

        public LoadFailedException(int errno, String message) {
            super(message);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }
}
