package org.hopwire.app.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Sends a command line to the running Hopwire's {@link CommandServer} and plays its answer on this terminal. */
final class CommandClient {
    private CommandClient() {
    }

    /** The command's exit status, or empty when no Hopwire answers on {@code socket} (a stale one is removed). */
    static Optional<Integer> tryRun(Path socket, List<String> args, Terminal terminal) {
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        SocketChannel c;
        try {
            c = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            try {
                Files.deleteIfExists(socket); // nobody listens: left by a Hopwire that was killed
            } catch (IOException ignored) {
                // not ours to remove; run here anyway
            }
            return Optional.empty();
        }
        try (c) {
            OutputStream out = CommandServer.output(c);
            ObjectNode request = CommandServer.JSON.createObjectNode();
            request.putArray("args").addAll(args.stream().map(a -> (JsonNode) CommandServer.JSON.getNodeFactory()
                    .textNode(a)).toList());
            request.put("cwd", Path.of("").toAbsolutePath().toString());
            request.put("interactive", terminal.interactive());
            send(out, request);
            BufferedReader in = new BufferedReader(new InputStreamReader(CommandServer.input(c),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode m = CommandServer.JSON.readTree(line);
                if (m.has("out")) {
                    terminal.out().print(m.get("out").asText());
                    terminal.out().flush();
                } else if (m.has("err")) {
                    terminal.err().print(m.get("err").asText());
                    terminal.err().flush();
                } else if (m.has("ask")) {
                    Optional<String> a = terminal.ask(m.get("ask").asText());
                    ObjectNode answer = CommandServer.JSON.createObjectNode();
                    if (a.isPresent()) {
                        answer.put("answer", a.get());
                    } else {
                        answer.putNull("answer");
                    }
                    send(out, answer);
                } else if (m.has("exit")) {
                    return Optional.of(m.get("exit").asInt(ExitCode.FAILED));
                }
            }
            terminal.err().println("hopwire: the running Hopwire closed the connection before the command ended");
            return Optional.of(ExitCode.FAILED);
        } catch (IOException e) {
            terminal.err().println("hopwire: lost the running Hopwire (" + socket + "): " + e.getMessage());
            return Optional.of(ExitCode.FAILED);
        }
    }

    private static void send(OutputStream out, JsonNode message) throws IOException {
        out.write((CommandServer.JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
