package org.hopwire.gst.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.natives.GstNatives;

/**
 * The test sources every host has, so a first run and the tests have something to lend without a camera: a moving
 * ball with a running clock (videotestsrc, timeoverlay when the Pango plugin is there) and a 440 Hz tone
 * (audiotestsrc). They are labelled "(test)" wherever they appear. A test source can be pulled out and plugged back
 * in, which behaves as a camera unplugged mid-stream does: its running captures fail, the catalog loses it.
 */
public final class TestDevices {
    public static final String CAMERA_ID = "test:camera";
    public static final String MICROPHONE_ID = "test:microphone";
    /** A webcam that makes MJPEG itself (a USB webcam's 1080p30 mode): {@link MjpegTestCamera}. */
    public static final String MJPEG_CAMERA_ID = "test:mjpeg-camera";
    private static final int[][] SIZES = {{320, 240}, {640, 480}, {1280, 720}, {1920, 1080}};
    private static final String[] RAW_FORMATS = {"NV12", "I420", "YUY2"};

    private final Map<String, Boolean> plugged = new ConcurrentHashMap<>(Map.of(CAMERA_ID, true, MICROPHONE_ID, true));
    {
        plugged.put(MJPEG_CAMERA_ID, true);
    }
    /** The "gone" switch of every live test source, so pulling one out fails its captures. */
    private final java.util.Deque<Element> liveSwitches = new java.util.concurrent.ConcurrentLinkedDeque<>();
    /** Switches of captures long closed are let go after this many. */
    private static final int MAX_SWITCHES = 32;
    private volatile Runnable onChange = () -> { };

    public static MediaDevice camera() {
        List<ControlMessage.Format> formats = new ArrayList<>();
        for (String f : RAW_FORMATS) {
            for (int[] s : SIZES) {
                formats.add(new ControlMessage.Format("video/x-raw", f, s[0], s[1], 30, 1));
                formats.add(new ControlMessage.Format("video/x-raw", f, s[0], s[1], 60, 1));
            }
            formats.add(new ControlMessage.Format("video/x-raw", f, 3840, 2160, 30, 1));
        }
        return new MediaDevice(CAMERA_ID, ControlMessage.Device.VIDEO, "Test camera (test pattern)", true, formats);
    }

    public static MediaDevice microphone() {
        return new MediaDevice(MICROPHONE_ID, ControlMessage.Device.AUDIO, "Test microphone (440 Hz tone)", true,
                List.of(new ControlMessage.Format("audio/x-raw", "S16LE", 0, 0, 48000, 1)));
    }

    /** The test webcam that makes MJPEG itself: only MJPEG, 1080p30, as such a webcam gives that size. */
    public static MediaDevice mjpegCamera() {
        return new MediaDevice(MJPEG_CAMERA_ID, ControlMessage.Device.VIDEO, "Test webcam with MJPEG (test pattern)",
                true, List.of(new ControlMessage.Format("image/jpeg", "", MjpegTestCamera.WIDTH, MjpegTestCamera.HEIGHT,
                MjpegTestCamera.FPS, 1)));
    }

    /** Whether a test device's pictures come encoded from the device (no balance element can act on them). */
    public static boolean encodesItself(String id) {
        return MJPEG_CAMERA_ID.equals(id);
    }

    /** The test sources plugged in now. */
    public List<MediaDevice> present() {
        List<MediaDevice> out = new ArrayList<>();
        if (plugged.get(CAMERA_ID)) {
            out.add(camera());
        }
        if (plugged.get(MICROPHONE_ID)) {
            out.add(microphone());
        }
        if (plugged.get(MJPEG_CAMERA_ID)) {
            out.add(mjpegCamera());
        }
        return out;
    }

    public boolean isTestDevice(String id) {
        return plugged.containsKey(id);
    }

    /** Pulls a test source out: running captures of it fail as an unplugged camera's do, and the catalog drops it. */
    public void unplug(String id) {
        if (plugged.replace(id, false) == null) {
            throw new IllegalArgumentException("no test device " + id);
        }
        for (java.util.Iterator<Element> it = liveSwitches.iterator(); it.hasNext(); ) {
            Element e = it.next();
            if (e.getName().startsWith(switchPrefix(id))) {
                // What v4l2src says when its camera is pulled out.
                GstNatives.postResourceError(e, GstPipelineException.RESOURCE_READ, "Could not read from resource.",
                        "the test device " + id + " was unplugged (No such device)");
                it.remove();
            }
        }
        onChange.run();
    }

    public void plug(String id) {
        if (plugged.replace(id, true) == null) {
            throw new IllegalArgumentException("no test device " + id);
        }
        onChange.run();
    }

    void onChange(Runnable r) {
        this.onChange = r;
    }

    private static String switchPrefix(String id) {
        return "gone-" + id.replace(':', '-') + "-";
    }

    /** The source bin for a test device. */
    public SourceFactory source(String id) {
        return name -> {
            if (!plugged.getOrDefault(id, false)) {
                throw new IllegalStateException(id + " is unplugged");
            }
            String sw = switchPrefix(id) + name;
            if (MJPEG_CAMERA_ID.equals(id)) {
                Bin bin = MjpegTestCamera.source(sw);
                bin.setName(name);
                keepSwitch(bin.getElementByName(sw));
                return bin;
            }
            String desc;
            if (CAMERA_ID.equals(id)) {
                boolean overlay = GstRuntime.isInstalled("timeoverlay");
                desc = "videotestsrc is-live=true pattern=ball motion=sweep background-color=0xff203040 "
                        + (overlay ? "! timeoverlay time-mode=running-time font-desc=\"Sans 24\" "
                        + "halignment=right valignment=top " : "")
                        + "! identity name=" + sw;
            } else {
                desc = "audiotestsrc is-live=true wave=sine freq=440 volume=0.2 ! identity name=" + sw;
            }
            Bin bin = Gst.parseBinFromDescription(desc, true);
            bin.setName(name);
            keepSwitch(bin.getElementByName(sw));
            return bin;
        };
    }

    private void keepSwitch(Element swElement) {
        liveSwitches.addLast(swElement);
        while (liveSwitches.size() > MAX_SWITCHES) {
            liveSwitches.pollFirst();
        }
    }
}
