package org.hopwire.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.device.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command through the emulated demo (the Demo laptop and its test devices), in this JVM with its own settings
 * folder: text, JSON parsed back, exit statuses, pairing answered on the "terminal".
 */
@ExtendWith(PrivateRuntimeDir.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEMO = DemoFabric.DEMO_PEER_UUID.toString();
    static final String SMALL = "video/x-raw,width=320,height=240,framerate=30/1";

    @TempDir
    Path dir;

    /** One command's outcome. */
    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    Run answering(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--fabric=emulated", "--config-dir", dir.resolve("cfg")
                .toString()));
        all.addAll(List.of(args));
        int code = Cli.run(all, new Terminal(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), false), (a, t) -> {
                    throw new AssertionError("no window in these tests");
                });
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Run run(String... args) {
        return answering("", args);
    }

    void pair() {
        Run r = answering("y\n", "pair", "Demo laptop");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().matches("(?s).*The code is: [0-9]{6}.*Does Demo laptop show the same code\\? \\[y/N].*"
                + "Paired with Demo laptop.*"), r.out());
    }

    @Test
    void shouldListPeersStreamsAndDevicesAsTextAndJson() throws Exception {
        Run text = run("peers");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("Demo laptop") && text.out().contains(DEMO.substring(0, 8))
                && text.out().contains("not paired"), text.out());

        JsonNode peers = run("peers", "--json").json().get("peers");
        assertEquals(1, peers.size());
        JsonNode p = peers.get(0);
        assertEquals(DEMO, p.get("uuid").asText(), "UUIDs in full");
        assertEquals(DEMO.substring(0, 8), p.get("shortUuid").asText());
        assertEquals(Fabrics.DEMO_PEER_NAME, p.get("name").asText());
        assertEquals("0-1", p.get("cableId").asText());
        assertTrue(p.get("onCable").asBoolean());
        assertTrue(p.get("hopwire").asBoolean());
        assertEquals(20, p.get("speedGbps").asInt());
        assertEquals(2, p.get("lanes").asInt());
        assertFalse(p.get("paired").asBoolean());
        assertTrue(p.get("state").isNull(), "a one-shot process starts no session to know it");

        JsonNode streams = run("streams", "--json").json();
        assertTrue(streams.get("streams").isArray());
        assertEquals(0, streams.get("streams").size(), "reading the cable makes no stream");
        assertTrue(run("streams").out().contains("Streams: none"));

        JsonNode devices = run("devices", "--json").json();
        assertTrue(devices.get("peer").isNull());
        JsonNode camera = find(devices.get("devices"), TestDevices.CAMERA_ID);
        assertEquals("Test camera (test pattern)", camera.get("name").asText());
        assertEquals("video", camera.get("kind").asText());
        assertTrue(camera.get("test").asBoolean());
        assertTrue(camera.get("summary").asText().contains("320x240"));
        assertEquals("audio", find(devices.get("devices"), TestDevices.MICROPHONE_ID).get("kind").asText());
    }

    static JsonNode find(JsonNode array, String id) {
        for (JsonNode n : array) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError(id + " not in " + array);
    }

    @Test
    void shouldRefuseUnknownNamesBadArgumentsAndBadOutputsWithTheirCodes() {
        Run r = run("devices", "--peer", "nobody");
        assertEquals(ExitCode.NOT_FOUND, r.code());
        assertTrue(r.err().contains("no peer 'nobody' on the cable") && r.err().contains("Demo laptop (8"),
                r.err());
        r = run("borrow", "no colon here");
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().contains("is not PEER:DEVICE"), r.err());
        r = run("borrow", "Demo laptop:test:camera", "--output", "mp4:/tmp/x");
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().contains("use preview, speakers, mic, pipewire, v4l2:/dev/videoN or file:PATH"), r.err());
        r = run("borrow", "Demo laptop:test:camera", "--output", "v4l2:/tmp/video0");
        assertEquals(ExitCode.USAGE, r.code());
        r = run("borrow", "Demo laptop:test:camera", "--output", "file:" + dir.resolve("no/such/folder/x.mkv"));
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().contains("there is no folder"), r.err());
        r = run("lend", "test:camera");
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().contains("--to"), r.err());
        r = run("stats", "--watch", "--count", "0");
        assertEquals(ExitCode.USAGE, r.code());
        r = run("lsit");
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().contains("unknown argument 'lsit'") && r.err().contains("--help"), r.err());
        r = run("lend", "test:camera", "--to", "Demo laptop", "--for", "soon");
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().contains("'soon' is not a duration"), r.err());
    }

    @Test
    void shouldNameOnePeerOrDeviceOrListTheCandidates() {
        UUID a = UUID.fromString("11111111-0000-0000-0000-000000000001");
        UUID b = UUID.fromString("11112222-0000-0000-0000-000000000002");
        List<Names.PeerRef> peers = List.of(new Names.PeerRef(a, "laptop", "0-1"), new Names.PeerRef(b, "Laptop",
                "0-3"));
        CliException e = assertThrows(CliException.class, () -> Names.peer("LAPTOP", peers, "on the cable"));
        assertEquals(ExitCode.NOT_FOUND, e.exitCode());
        assertTrue(e.getMessage().contains(a.toString()) && e.getMessage().contains(b.toString()),
                "an ambiguous name lists the UUIDs: " + e.getMessage());
        assertEquals(b, Names.peer(b.toString(), peers, "").uuid(), "a full UUID is the identity");
        assertEquals(b, Names.peer("11112", peers, "").uuid(), "a unique prefix");
        assertThrows(CliException.class, () -> Names.peer("1111", peers, ""), "a prefix both share");
        assertEquals(a, Names.peer("0-1", peers, "").uuid(), "the cable id");
        List<Names.DeviceRef> devices = List.of(new Names.DeviceRef("v4l2:/dev/video0", "Webcam"),
                new Names.DeviceRef("v4l2:/dev/video2", "webcam"));
        assertEquals("v4l2:/dev/video2", Names.device("v4l2:/dev/video2", devices, "").id());
        CliException d = assertThrows(CliException.class, () -> Names.device("WEBCAM", devices, "on this host"));
        assertTrue(d.getMessage().contains("v4l2:/dev/video0") && d.getMessage().contains("v4l2:/dev/video2"),
                d.getMessage());
    }

    @Test
    void shouldPairOnlyWhenThePersonSaysYesAndForgetAgain() throws Exception {
        Run no = answering("n\n", "pair", DEMO.substring(0, 6));
        assertEquals(ExitCode.REFUSED, no.code(), no.toString());
        assertTrue(no.out().contains("The code is: ") && no.err().contains("you said the codes differ"),
                no.toString());
        Run notPaired = run("devices", "--peer", "Demo laptop");
        assertEquals(ExitCode.NOT_PAIRED, notPaired.code(), notPaired.toString());
        assertTrue(notPaired.err().contains("run 'hopwire pair 'Demo laptop'' first"), notPaired.err());

        pair();
        assertTrue(run("peers", "--json").json().get("peers").get(0).get("paired").asBoolean());
        assertTrue(run("pair", "0-1").out().contains("Already paired"));
        JsonNode offered = run("devices", "--peer", "Demo laptop", "--json").json();
        assertEquals(DEMO, offered.get("peer").get("uuid").asText());
        assertEquals(Fabrics.DEMO_PEER_NAME, offered.get("peer").get("name").asText());
        assertEquals("video", find(offered.get("devices"), TestDevices.CAMERA_ID).get("kind").asText());

        Run forget = run("forget", "Demo laptop");
        assertEquals(0, forget.code(), forget.toString());
        assertTrue(forget.out().contains("Forgot the pairing with Demo laptop"), forget.out());
        assertFalse(run("peers", "--json").json().get("peers").get(0).get("paired").asBoolean());
        Run after = run("devices", "--peer", "Demo laptop");
        assertEquals(ExitCode.NOT_PAIRED, after.code(), after.toString());
        assertTrue(after.err().contains("hopwire pair"), after.err());
    }

    @Test
    void shouldLendBorrowIntoAGrowingRecordingReportStatsAndExplainMissingOutputs() throws Exception {
        pair();
        Run lend = run("lend", "test:camera", "--to", "Demo laptop", "--for", "2s");
        assertEquals(0, lend.code(), lend.toString());
        assertTrue(lend.out().contains("Lending Test camera (test pattern) to Demo laptop")
                && lend.out().contains("Took Test camera (test pattern) back from Demo laptop"), lend.out());

        Path file = dir.resolve("camera.mkv");
        CompletableFuture<Run> borrow = CompletableFuture.supplyAsync(() -> run("borrow",
                "Demo laptop:Test camera (test pattern)", "--output", "file:" + file, "--format", SMALL, "--for",
                "6s"));
        Transfers.await(() -> size(file) > 0, Duration.ofSeconds(30), "the recording to start");
        long first = size(file);
        Transfers.await(() -> size(file) > first, Duration.ofSeconds(10), "the recording to grow");
        Run b = borrow.get(60, TimeUnit.SECONDS);
        assertEquals(0, b.code(), b.toString());
        assertTrue(b.out().contains("Borrowing Test camera (test pattern) from Demo laptop")
                && b.out().contains("to recording " + file) && b.out().contains("Gave Test camera (test pattern)"
                + " back"), b.out());

        Run stats = run("stats", "--json", "--watch", "--count", "2");
        assertEquals(0, stats.code(), stats.toString());
        String[] lines = stats.out().strip().split("\n");
        assertEquals(2, lines.length, stats.out());
        for (String line : lines) {
            JsonNode s = JSON.readTree(line);
            assertTrue(s.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), line);
            JsonNode p = s.get("peers").get(0);
            assertEquals(DEMO, p.get("uuid").asText());
            assertEquals(Fabrics.DEMO_PEER_NAME, p.get("name").asText());
            assertEquals("paired", p.get("state").asText());
            assertTrue(p.get("sentBytesPerSecond").isNumber() && p.get("receivedBytesPerSecond").isNumber());
            assertTrue(p.get("roundTripUs").asLong() > 0, line);
            assertEquals("encrypted", p.get("protection").asText());
            assertTrue(p.get("channels").isArray());
        }
        assertTrue(run("stats").out().contains("Demo laptop (" + DEMO.substring(0, 8) + ")  paired"));

        Run micFromCamera = run("borrow", "Demo laptop:test:camera", "--output", "mic");
        assertEquals(ExitCode.USAGE, micFromCamera.code(), micFromCamera.toString());
        assertTrue(micFromCamera.err().contains("a camera cannot be a virtual microphone"), micFromCamera.err());
        Run cameraFromMic = run("borrow", "Demo laptop:test:microphone", "--output", "pipewire");
        assertEquals(ExitCode.USAGE, cameraFromMic.code(), cameraFromMic.toString());
        assertTrue(cameraFromMic.err().contains("a microphone cannot be a PipeWire camera"), cameraFromMic.err());
        if (!org.hopwire.gst.playback.PipeWireCamera.availability().available()) {
            Run pipewire = run("borrow", "Demo laptop:test:camera", "--output", "pipewire");
            assertEquals(ExitCode.UNAVAILABLE, pipewire.code(), pipewire.toString());
            assertTrue(pipewire.err().contains("PipeWire") || pipewire.err().contains("pipewire"), pipewire.err());
        }
        assumeTrue(!Files.isDirectory(Path.of("/sys/module/v4l2loopback")), "v4l2loopback is loaded here");
        Run v4l2 = run("borrow", "Demo laptop:test:camera", "--output", "v4l2:/dev/video42");
        assertEquals(ExitCode.UNAVAILABLE, v4l2.code(), v4l2.toString());
        assertTrue(v4l2.err().contains("v4l2loopback") && v4l2.err().contains("modprobe"), v4l2.err());
        assumeTrue(System.getenv("DISPLAY") == null && System.getenv("WAYLAND_DISPLAY") == null, "a display");
        Run preview = run("borrow", "Demo laptop:test:camera");
        assertEquals(ExitCode.UNAVAILABLE, preview.code(), preview.toString());
        assertTrue(preview.err().contains("a preview needs a display"), preview.err());
    }

    static long size(Path f) {
        try {
            return Files.exists(f) ? Files.size(f) : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    @Test
    void shouldPrintHelpWithExitCodesAndABashCompletionScript() {
        Run help = run("lend", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--to=PEER") && help.out().contains("Exit status:")
                && help.out().contains("3  no such peer or device"), help.out());
        Run completion = run("completion");
        assertEquals(0, completion.code());
        assertTrue(completion.out().contains("complete -F") && completion.out().contains("borrow")
                && completion.out().contains("--output"), completion.out().substring(0, 200));
    }

    // ---- hopwire control: this host's camera's settings -------------------------------------------------------

    @Test
    void shouldListAndSetThisHostsCameraSettings() {
        Run list = run("control", "test:camera");
        assertEquals(0, list.code(), list.toString());
        assertTrue(list.out().contains("Test camera (test pattern) on this host:")
                && list.out().matches("(?s).*brightness\\s+-100\\.\\.100\\s+now 0 \\(default 0\\).*")
                && list.out().contains("contrast") && list.out().contains("hue"), list.out());

        Run set = run("control", "Test camera (test pattern)", "brightness=25", "contrast=900");
        assertEquals(0, set.code(), set.toString());
        assertTrue(set.out().contains("brightness = 25 on Test camera (test pattern)")
                && set.out().contains("contrast = 200 on Test camera (test pattern)"), "clamped: " + set.out());
    }

    @Test
    void shouldRefuseUnknownSettingsValuesAndDevicesWithTheirCodes() {
        Run unknown = run("control", "test:camera", "exposure=3");
        assertEquals(ExitCode.USAGE, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("has no setting 'exposure'; it has brightness, contrast, saturation, hue"),
                unknown.err());
        Run notNumber = run("control", "test:camera", "brightness=bright");
        assertEquals(ExitCode.USAGE, notNumber.code(), notNumber.toString());
        assertTrue(notNumber.err().contains("not NAME=VALUE with a whole number"), notNumber.err());
        Run microphone = run("control", "test:microphone");
        assertEquals(0, microphone.code(), microphone.toString());
        assertTrue(microphone.out().contains("has no settings to adjust"), microphone.out());
        Run nothing = run("control", "nowhere");
        assertEquals(ExitCode.USAGE, nothing.code(), nothing.toString());
    }
}
