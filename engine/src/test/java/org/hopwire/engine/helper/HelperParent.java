package org.hopwire.engine.helper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A parent for the helper that a test can kill: starts the helper (ConfigFS root from the argument) with pipes, asks
 * it one thing, prints its pid and the answer, then waits for good.
 */
public final class HelperParent {
    private HelperParent() {
    }

    public static void main(String[] args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(HelperRun.command(System.getProperty("java.class.path"), "configfs"));
        pb.environment().put(PrivilegedHelper.ROOT_OVERRIDE_ENV, args[0]);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process helper = pb.start();
        System.out.println(helper.pid());
        System.out.flush();
        helper.getOutputStream().write("mkdir 0-9.0\n".getBytes(StandardCharsets.US_ASCII));
        helper.getOutputStream().flush();
        BufferedReader r = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.US_ASCII));
        System.out.println(r.readLine());
        System.out.flush();
        Thread.sleep(List.of(60_000L).get(0));
    }
}
