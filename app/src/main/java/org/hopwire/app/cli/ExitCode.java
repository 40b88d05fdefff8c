package org.hopwire.app.cli;

/**
 * The command line's exit statuses: scripts branch on them, so they are fixed and listed in every command's help.
 * Anything not below is {@link #FAILED}.
 */
public final class ExitCode {
    /** Done. */
    public static final int OK = 0;
    /** Failed for a reason none of the codes below names; the message says which. */
    public static final int FAILED = 1;
    /** Bad arguments: unknown command or option, a value that cannot be, a bad {@code --output}. */
    public static final int USAGE = 2;
    /** No peer or device goes by that name, or the name fits more than one (the message lists them). */
    public static final int NOT_FOUND = 3;
    /** The peer is not paired (or its session did not get ready in time): run {@code hopwire pair PEER}. */
    public static final int NOT_PAIRED = 4;
    /** The other host or a person refused: consent denied, the offer declined, a pairing code rejected. */
    public static final int REFUSED = 5;
    /** No permission: ConfigFS, a device node, the privileged helper or its polkit action said no. */
    public static final int PERMISSION = 6;
    /** This host lacks what the command needs: a display, v4l2loopback, GStreamer, the driver. */
    public static final int UNAVAILABLE = 7;

    /** The list for {@code --help}. */
    static final String[] HELP = {
        "Exit status:",
        "  0  done",
        "  1  failed (the message says why)",
        "  2  bad arguments (unknown command or option, bad value, bad --output)",
        "  3  no such peer or device, or the name fits more than one",
        "  4  the peer is not paired (run 'hopwire pair PEER') or was not ready in time",
        "  5  refused: consent denied, offer declined, code rejected, ended by the peer",
        "  6  no permission (ConfigFS, /dev/tbstream*, the privileged helper)",
        "  7  this host lacks what it needs (display, v4l2loopback, GStreamer, driver)",
    };

    private ExitCode() {
    }
}
