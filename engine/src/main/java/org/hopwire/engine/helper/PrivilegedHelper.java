package org.hopwire.engine.helper;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.kernel.ConfigFsTree;
import org.hopwire.engine.fabric.kernel.SyscallException;

/**
 * Hopwire's root helper ({@code /opt/hopwire/bin/hopwire-helper}, started by the app through pkexec): the only part
 * of Hopwire that runs as root. It changes the USB4STREAM driver's ConfigFS ({@code configfs} mode) or loads
 * v4l2loopback ({@code v4l2loopback} mode), one validated request at a time, and nothing else.
 *
 * <p>The protocol ({@code docs/privileged-helper.md}): one request per line on stdin, one answer per line on stdout,
 * {@code ok} or {@code err <errno>}. It exits with status 0 when stdin ends, which is when the app closes it or dies.
 * It trusts nothing it is given: the ConfigFS root is fixed; a test may move it with {@value #ROOT_OVERRIDE_ENV},
 * which is ignored when {@code PKEXEC_UID} is set (pkexec clears the environment anyway).
 */
public final class PrivilegedHelper {
    /** Where the driver's ConfigFS lives. Fixed: never taken from the client. */
    public static final Path CONFIGFS_ROOT = Path.of("/sys/kernel/config/thunderbolt/stream");
    /** Tests only: another ConfigFS root; ignored when started by pkexec. */
    public static final String ROOT_OVERRIDE_ENV = "HOPWIRE_HELPER_TEST_CONFIGFS_ROOT";
    /** Tests only: another modprobe program; ignored when started by pkexec. */
    public static final String MODPROBE_OVERRIDE_ENV = "HOPWIRE_HELPER_TEST_MODPROBE";
    /** Set by pkexec to the uid of the person who asked: its presence means "started for real". */
    public static final String PKEXEC_UID = "PKEXEC_UID";
    /** Where modprobe is, in this order (Debian 12 has the first; older layouts the second). */
    public static final List<Path> MODPROBE = List.of(Path.of("/usr/sbin/modprobe"), Path.of("/sbin/modprobe"));
    /** The module and options loaded: one device labelled so that Hopwire finds it, usable by browsers. */
    public static final List<String> V4L2LOOPBACK_ARGS = List.of("v4l2loopback", "devices=1", "exclusive_caps=1",
            "card_label=Hopwire camera");
    /** A modprobe that takes longer than this is stopped (a module build by DKMS happens at install, not here). */
    static final long MODPROBE_TIMEOUT_SECONDS = 30;

    /** Exit status for a missing or unknown mode. */
    static final int EXIT_USAGE = 2;
    /** Exit status when not running as root. */
    static final int EXIT_NOT_ROOT = 3;

    private final PrintStream log;
    private final OutputStream out;
    private final Map<String, String> env;

    private PrivilegedHelper(OutputStream out, PrintStream log, Map<String, String> env) {
        this.out = out;
        this.log = log;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err, System.getenv()));
    }

    static int run(String[] args, InputStream in, OutputStream out, PrintStream err, Map<String, String> env) {
        if (args.length != 1 || !(args[0].equals("configfs") || args[0].equals("v4l2loopback"))) {
            err.println("usage: hopwire-helper configfs|v4l2loopback\n"
                    + "Hopwire starts this helper itself, through pkexec, when it needs root; it is not meant to be"
                    + " run by hand.");
            return EXIT_USAGE;
        }
        int euid;
        try {
            euid = ConfigFsTree.effectiveUid();
        } catch (IllegalStateException e) {
            err.println("hopwire-helper: " + e.getMessage());
            return EXIT_NOT_ROOT;
        }
        if (euid != 0) {
            err.println("hopwire-helper: refusing to run as uid " + euid + ": this helper does its work as root and"
                    + " is started by Hopwire through pkexec (polkit action org.hopwire.Hopwire."
                    + (args[0].equals("configfs") ? "configure-streams" : "load-v4l2loopback")
                    + "). Run Hopwire itself as yourself; it asks for the helper when it needs it.");
            return EXIT_NOT_ROOT;
        }
        PrivilegedHelper helper = new PrivilegedHelper(out, err, env);
        try {
            if (args[0].equals("configfs")) {
                helper.serveConfigFs(in);
            } else {
                helper.serveV4l2Loopback(in);
            }
            return 0;
        } catch (IOException e) {
            err.println("hopwire-helper: " + e.getMessage());
            return 1;
        }
    }

    /** A test override, unless started by pkexec; says so on stderr when it is ignored. */
    private String override(String name) {
        String value = env.get(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (env.containsKey(PKEXEC_UID)) {
            log.println("hopwire-helper: ignoring " + name + ": started by pkexec, so the fixed value holds");
            return null;
        }
        return value;
    }

    // ---- configfs ---------------------------------------------------------------------------------------------

    private void serveConfigFs(InputStream in) throws IOException {
        String rootOverride = override(ROOT_OVERRIDE_ENV);
        Path root = rootOverride == null ? CONFIGFS_ROOT : Path.of(rootOverride);
        ConfigFsTree tree;
        try {
            tree = new ConfigFsTree(root);
        } catch (IllegalArgumentException e) {
            log.println("hopwire-helper: " + e.getMessage() + "; using " + CONFIGFS_ROOT);
            tree = new ConfigFsTree(CONFIGFS_ROOT);
        }
        LineReader lines = new LineReader(in);
        for (LineReader.Line line; (line = lines.next()) != null; ) {
            HelperRequest request = line.refusal() != null ? line.refusal()
                    : HelperRequest.parseConfigFs(line.text());
            answer(request instanceof HelperRequest.Refused r ? refuse(r) : apply(tree, request));
        }
    }

    private int apply(ConfigFsTree tree, HelperRequest request) {
        try {
            if (request instanceof HelperRequest.MkdirGroup r) {
                tree.mkdirGroup(r.service());
            } else if (request instanceof HelperRequest.RmdirGroup r) {
                tree.rmdirGroup(r.service());
            } else if (request instanceof HelperRequest.MkdirStream r) {
                tree.mkdirStream(r.service(), r.name());
            } else if (request instanceof HelperRequest.RmdirStream r) {
                tree.rmdirStream(r.service(), r.name());
            } else if (request instanceof HelperRequest.Write r) {
                tree.writeAttribute(r.service(), r.name(), r.attribute(), r.value());
            } else {
                return refuse(new HelperRequest.Refused(Errno.ENOSYS, "not a configfs request"));
            }
            return 0;
        } catch (SyscallException e) {
            return e.number();
        } catch (RuntimeException e) {
            log.println("hopwire-helper: " + e);
            return Errno.EIO.number();
        }
    }

    private int refuse(HelperRequest.Refused r) {
        log.println("hopwire-helper: refused (" + r.errno().name() + "): " + r.why());
        return r.errno().number();
    }

    private void answer(int errno) throws IOException {
        out.write((errno == 0 ? "ok\n" : "err " + errno + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    // ---- v4l2loopback -----------------------------------------------------------------------------------------

    private void serveV4l2Loopback(InputStream in) throws IOException {
        LineReader lines = new LineReader(in);
        for (LineReader.Line line; (line = lines.next()) != null; ) {
            HelperRequest request = line.refusal() != null ? line.refusal()
                    : HelperRequest.parseV4l2Loopback(line.text());
            answer(request instanceof HelperRequest.Refused r ? refuse(r) : loadV4l2Loopback());
        }
    }

    private int loadV4l2Loopback() {
        String o = override(MODPROBE_OVERRIDE_ENV);
        Path modprobe = o != null ? Path.of(o) : MODPROBE.stream().filter(Files::isExecutable).findFirst().orElse(null);
        if (modprobe == null || !modprobe.isAbsolute() || !Files.isExecutable(modprobe)) {
            log.println("hopwire-helper: modprobe not found at " + MODPROBE + " (package kmod)");
            return Errno.ENOEXEC.number();
        }
        // First ask whether the module is installed at all, so the app can say "install v4l2loopback-dkms".
        int dry = modprobe(modprobe, List.of("--dry-run", "--quiet", "v4l2loopback"));
        if (dry != 0) {
            if (dry > 0) {
                log.println("hopwire-helper: the v4l2loopback module is not installed (package v4l2loopback-dkms)");
                return Errno.ENOENT.number();
            }
            return -dry;
        }
        int load = modprobe(modprobe, V4L2LOOPBACK_ARGS);
        if (load > 0) {
            log.println("hopwire-helper: modprobe v4l2loopback failed (exit " + load + "); the kernel log says why");
            return Errno.EIO.number();
        }
        return -load;
    }

    /** Runs modprobe with a clean environment: its exit status, or minus an errno when it could not run or hung. */
    private int modprobe(Path modprobe, List<String> args) {
        List<String> argv = new java.util.ArrayList<>();
        argv.add(modprobe.toString());
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .directory(new java.io.File("/"));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        try {
            Process p = pb.start();
            // modprobe's output goes to our stderr, never to stdout, which carries the protocol.
            Thread drain = new Thread(() -> {
                try (InputStream s = p.getInputStream()) {
                    s.transferTo(log);
                } catch (IOException ignored) {
                    // the process went away
                }
            }, "hopwire-helper-modprobe-output");
            drain.setDaemon(true);
            drain.start();
            if (!p.waitFor(MODPROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.println("hopwire-helper: modprobe did not finish in " + MODPROBE_TIMEOUT_SECONDS + " s");
                return -Errno.ETIMEDOUT.number();
            }
            drain.join(1000);
            return p.exitValue();
        } catch (IOException e) {
            log.println("hopwire-helper: cannot run " + modprobe + ": " + e.getMessage());
            return -Errno.ENOEXEC.number();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -Errno.EINTR.number();
        }
    }

    // ---- lines ------------------------------------------------------------------------------------------------

    /** Reads request lines of at most {@link HelperRequest#MAX_LINE_BYTES}, refusing longer and non-ASCII ones. */
    static final class LineReader {
        /** A line's text, or its refusal. */
        record Line(String text, HelperRequest.Refused refusal) {
        }

        private final InputStream in;

        LineReader(InputStream in) {
            this.in = new BufferedInputStream(in, 4096);
        }

        /** The next whole line, or null at end of input (an unfinished last line is dropped, never run). */
        Line next() throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
            boolean tooLong = false;
            boolean garbage = false;
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    if (tooLong) {
                        return new Line(null, new HelperRequest.Refused(Errno.EMSGSIZE, "line longer than "
                                + HelperRequest.MAX_LINE_BYTES + " bytes"));
                    }
                    if (garbage) {
                        return new Line(null, new HelperRequest.Refused(Errno.EBADMSG, "bytes outside printable"
                                + " ASCII"));
                    }
                    return new Line(buf.toString(StandardCharsets.US_ASCII), null);
                }
                if (buf.size() >= HelperRequest.MAX_LINE_BYTES) {
                    tooLong = true; // keep reading to the newline, keeping nothing
                    continue;
                }
                if (b < 0x20 || b > 0x7e) {
                    garbage = true;
                }
                buf.write(b);
            }
            return null;
        }
    }
}
