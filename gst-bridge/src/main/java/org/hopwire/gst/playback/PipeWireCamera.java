package org.hopwire.gst.playback;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.hopwire.gst.GstPipelineException;

/**
 * A borrowed camera published as a PipeWire {@code Video/Source} node, which the camera portal hands to browsers and
 * OBS's PipeWire source reads: playback's {@code pipewiresink mode=provide}. The node belongs to this process's
 * PipeWire connection, so PipeWire removes it when the borrow ends or the process dies: nothing can be left behind.
 *
 * <p>On PipeWire 0.3.65 a consumer must say what it wants ({@code media.type=Video}, as the portal and OBS do):
 * WirePlumber's policy does not find a target for a {@code pipewiresrc} without it, which is what made a first try
 * look as if the node could not negotiate (gst-bridge/README.md).
 */
public final class PipeWireCamera {
    private static final AtomicInteger NEXT = new AtomicInteger();

    private PipeWireCamera() {
    }

    /** A new node name, marked like the virtual microphone's: {@code hopwire.camera.<pid>.<n>}. */
    static String newNodeName() {
        return "hopwire.camera." + ProcessHandle.current().pid() + "." + NEXT.getAndIncrement();
    }

    /** The part of a playback pipeline after the tee that publishes raw pictures as the node. */
    static String branch(String nodeName, String name) {
        String label = VirtualMicrophone.label(name);
        // The tee keeps videoconvert from writing into pipewiresink's own buffer pool: on 0.3.65 that path reads
        // a memory per plane from a one-memory buffer and crashes (SIGSEGV in do_send_buffer, reproduced with
        // gst-launch-1.0: videotestsrc NV12 ! videoconvert ! I420 ! pipewiresink); buffers from elsewhere are copied
        // into PipeWire's, which works.
        return "videoconvert ! video/x-raw,format=I420 ! tee ! queue max-size-buffers=2 max-size-bytes=0 "
                + "max-size-time=0 leaky=downstream ! pipewiresink name=pwcam mode=provide sync=false "
                + "client-name=Hopwire stream-properties=\"props,media.class=Video/Source,media.role=Camera,"
                + "node.name=" + nodeName + ",node.description=\\\"" + label + "\\\"\" ";
    }

    /** Where this user's PipeWire listens: {@code $PIPEWIRE_RUNTIME_DIR} or {@code $XDG_RUNTIME_DIR}, pipewire-0. */
    static Path socket() {
        String remote = System.getenv().getOrDefault("PIPEWIRE_REMOTE", "pipewire-0");
        String dir = System.getenv("PIPEWIRE_RUNTIME_DIR");
        if (dir == null) {
            dir = System.getenv("XDG_RUNTIME_DIR");
        }
        return Path.of(dir == null ? "/run/user/" + uid() : dir).resolve(remote);
    }

    private static String uid() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
        } catch (Exception e) {
            return "0";
        }
    }

    /** Fails with what to do when no PipeWire runs for this user. */
    static void check() throws GstPipelineException {
        Path s = socket();
        if (!Files.exists(s)) {
            throw new GstPipelineException("PipeWire camera", "PipeWire is not running for this user (no " + s
                    + "): start it (systemctl --user start pipewire wireplumber) or use the virtual webcam "
                    + "(v4l2loopback) instead", "");
        }
    }
}
