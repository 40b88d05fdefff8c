package org.hopwire.engine.helper;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A test's stand-in for pkexec: connects to a Unix socket where the test (root) starts a privileged helper per
 * connection, and relays this process's stdin to it and its answers to stdout. Arguments: the socket, then the mode
 * (which the test's server knows already).
 */
public final class SocketLauncher {
    private SocketLauncher() {
    }

    public static void main(String[] args) throws Exception {
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
        SocketRelay.toSocket(System.in, socket);
        SocketRelay.fromSocket(socket, System.out).join();
        System.exit(0);
    }
}
