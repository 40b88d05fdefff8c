package org.hopwire.engine.fabric.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The command that starts Hopwire's privileged helper ({@code org.hopwire.engine.helper.PrivilegedHelper}) in one of
 * its modes, and what its outcomes mean to a person.
 *
 * <p>By default {@code pkexec /opt/hopwire/bin/hopwire-helper <mode>}, as the package installs it. The system property
 * {@value #LAUNCHER_PROPERTY} or else the environment variable {@value #LAUNCHER_ENV} replaces the part before the
 * mode with another command line (words split at blanks), e.g. {@code sudo -n java -cp engine/target/classes:...
 * org.hopwire.engine.helper.PrivilegedHelper} from a checkout, or a test's launcher.
 */
public final class HelperLauncher {
    public static final String LAUNCHER_PROPERTY = "hopwire.helper.launcher";
    public static final String LAUNCHER_ENV = "HOPWIRE_HELPER_LAUNCHER";
    /**
     * The system service's way in: the path of a Unix socket where each connection is served by a root helper in
     * {@code configfs} mode ({@code hopwire-helper.socket}, for members of the {@code hopwire} group).
     */
    public static final String SOCKET_ENV = "HOPWIRE_HELPER_SOCKET";
    /** Where the package installs the helper's launcher. */
    public static final Path INSTALLED_HELPER = Path.of("/opt/hopwire/bin/hopwire-helper");
    public static final String CONFIGURE_STREAMS_ACTION = "org.hopwire.Hopwire.configure-streams";
    public static final String LOAD_V4L2LOOPBACK_ACTION = "org.hopwire.Hopwire.load-v4l2loopback";
    /** pkexec's exit status when the person dismissed the authentication dialog. */
    public static final int PKEXEC_DISMISSED = 126;
    /** pkexec's exit status when not authorised, with no authentication agent, or when the program cannot run. */
    public static final int PKEXEC_NOT_AUTHORISED = 127;

    private final List<String> prefix;
    /** The socket to connect to instead of starting a process, for {@link #SOCKET_ENV}. */
    private final Optional<Path> socket;
    /** Whether the exit statuses are pkexec's (126 dismissed, 127 not authorised). */
    private final boolean pkexec;
    /** Whether this is the installed helper through pkexec, whose presence is checked before starting. */
    private final boolean installed;

    private HelperLauncher(List<String> prefix, boolean pkexec, boolean installed) {
        this(prefix, Optional.empty(), pkexec, installed);
    }

    private HelperLauncher(List<String> prefix, Optional<Path> socket, boolean pkexec, boolean installed) {
        this.prefix = List.copyOf(prefix);
        this.socket = socket;
        this.pkexec = pkexec;
        this.installed = installed;
    }

    /**
     * The launcher this process is configured with: the property, else the launcher variable, else the socket
     * variable, else pkexec.
     */
    public static HelperLauncher configured() {
        String text = System.getProperty(LAUNCHER_PROPERTY);
        if (text == null || text.isBlank()) {
            text = System.getenv(LAUNCHER_ENV);
        }
        if (text != null && !text.isBlank()) {
            return of(text);
        }
        String socket = System.getenv(SOCKET_ENV);
        return socket == null || socket.isBlank() ? pkexec() : socket(Path.of(socket));
    }

    /** Connects to a helper listening on {@code socket} (the system service's {@code hopwire-helper.socket}). */
    public static HelperLauncher socket(Path socket) {
        return new HelperLauncher(List.of(), Optional.of(socket), false, false);
    }

    /** The socket this launcher connects to, if it is a socket rather than a command. */
    public Optional<Path> socketPath() {
        return socket;
    }

    /** {@code pkexec /opt/hopwire/bin/hopwire-helper}. */
    public static HelperLauncher pkexec() {
        return pkexec(INSTALLED_HELPER);
    }

    /** {@code pkexec HELPER}, for tests of the installed case with a helper elsewhere. */
    static HelperLauncher pkexec(Path helper) {
        return new HelperLauncher(List.of("pkexec", helper.toString()), true, true);
    }

    /** A command line (words split at blanks) to which the mode is appended. */
    public static HelperLauncher of(String commandLine) {
        List<String> words = new ArrayList<>(Arrays.asList(commandLine.trim().split("\\s+")));
        if (words.isEmpty() || words.get(0).isEmpty()) {
            throw new IllegalArgumentException("an empty helper launcher");
        }
        return new HelperLauncher(words, false, false);
    }

    /** A command line whose exit statuses mean what pkexec's do, for tests of those messages. */
    static HelperLauncher pkexecLike(String commandLine) {
        return new HelperLauncher(of(commandLine).prefix, true, false);
    }

    /** Whether a launcher other than the installed pkexec one was configured (tests, a checkout). */
    public static boolean overridden() {
        return !configured().installed;
    }

    /** The whole command for a mode ({@code configfs} or {@code v4l2loopback}). */
    public List<String> command(String mode) {
        List<String> c = new ArrayList<>(prefix);
        c.add(mode);
        return c;
    }

    /** Why the helper cannot be started here, with what to do, or empty when it can be tried. */
    public Optional<String> unavailableReason() {
        if (socket.isPresent()) {
            return Files.exists(socket.get()) ? Optional.empty() : Optional.of("Hopwire's helper socket "
                    + socket.get() + " (from " + SOCKET_ENV + ") does not exist: enable it with 'systemctl enable"
                    + " --now hopwire-helper.socket' (the Hopwire package brings it)");
        }
        if (installed) {
            Path helper = Path.of(prefix.get(1));
            if (!Files.isExecutable(helper)) {
                return Optional.of("Hopwire's privileged helper is not installed (" + helper + " is"
                        + " missing): install the Hopwire package, which brings the helper and its polkit policy,"
                        + " or run Hopwire as root");
            }
            if (onPath("pkexec").isEmpty()) {
                return Optional.of("pkexec is not installed, so Hopwire cannot ask for permission to change"
                        + " USB4STREAM streams: install the 'pkexec' package (polkit), or run Hopwire as root");
            }
            return Optional.empty();
        }
        String program = prefix.get(0);
        boolean found = program.contains("/") ? Files.isExecutable(Path.of(program)) : onPath(program).isPresent();
        return found ? Optional.empty() : Optional.of("the helper launcher '" + program + "' (from "
                + LAUNCHER_PROPERTY + " or " + LAUNCHER_ENV + ") cannot be run: no such program");
    }

    /**
     * What a helper that ended with {@code status} before answering means, with what to do. pkexec's own statuses
     * (126, 127) are explained only for the pkexec launcher; {@code stderr} is the end of what it said.
     */
    public String explainExit(int status, String action, String stderr) {
        String said = stderr == null || stderr.isBlank() ? "" : " (it said: " + stderr.strip() + ")";
        if (pkexec && status == PKEXEC_DISMISSED) {
            return "the authentication dialog was dismissed, so Hopwire was not allowed to " + what(action)
                    + ". Try again and confirm it";
        }
        if (pkexec && status == PKEXEC_NOT_AUTHORISED) {
            return "polkit did not authorise " + action + ", so Hopwire may not " + what(action) + said + ". Log in"
                    + " at the machine itself (the action needs no password for the person at the seat), or run a"
                    + " polkit authentication agent so you can enter an administrator's password, or run Hopwire as"
                    + " root";
        }
        return "Hopwire's privileged helper ended with status " + status + " before answering" + said;
    }

    private static String what(String action) {
        return action.equals(LOAD_V4L2LOOPBACK_ACTION) ? "load the v4l2loopback module"
                : "create or remove USB4STREAM streams";
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return socket.map(p -> "the helper socket " + p).orElseGet(() -> String.join(" ", prefix));
    }
}
