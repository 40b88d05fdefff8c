package org.hopwire.engine.helper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.hopwire.engine.Fabrics;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.StreamAddress;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.StreamSpec;
import org.hopwire.engine.fabric.kernel.ConfigFs;
import org.hopwire.engine.fabric.kernel.KernelPaths;
import org.hopwire.engine.fabric.kernel.SyscallException;

/**
 * Hopwire's engine as an unprivileged user runs it, step by step at the test's word (a line on stdin): opens the
 * kernel fabric at an emulated host's root, creates a stream, tries a direct ConfigFS write, removes the stream,
 * closes. Prints what happened, one line per step.
 */
public final class UnprivilegedApp {
    private UnprivilegedApp() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        try (Fabric fabric = Fabrics.openAt(root)) {
            StreamInfo s = fabric.createStream("0-1.0", StreamSpec.automatic("hwctl"));
            say("created " + s.inHopId() + " " + s.outHopId());
            in.readLine();
            StreamAddress a = s.address();
            try {
                ConfigFs.DIRECT.write(KernelPaths.under(root).configFsStream().resolve("0-1.0/hwctl/ring_size"), "64");
                say("direct ok");
            } catch (SyscallException e) {
                say("direct " + e.errno());
            }
            fabric.removeStream(a);
            say("removed");
            in.readLine();
        } catch (Exception e) {
            say("failed " + e);
            throw e;
        }
        say("closed");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
