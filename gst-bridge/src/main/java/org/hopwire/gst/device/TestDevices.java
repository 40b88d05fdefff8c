package org.hopwire.gst.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.GhostPad;
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
    /** Pictures and sound from one source on one clock: stands in for an HDMI capture card (protocol 3.2). */
    public static final String CAPTURE_CARD_ID = "test:capture-card";
    /**
     * The capture card's tick: its picture turns from dark to light or back (videotestsrc's ball with {@code flip})
     * and a beep starts (audiotestsrc's {@code ticks}) at every whole second of the source's running time, so a
     * borrower can measure how far apart its outputs show and sound the same instant.
     */
    public static final long CARD_TICK_NS = 1_000_000_000L;
    /** The beep: 1 kHz for 40 periods (40 ms), from silence, at full sample values of about half scale. */
    public static final int CARD_BEEP_HZ = 1000;
    /** Sound buffers of 10 ms (480 samples at 48 kHz): a beep's onset is found within one buffer's time. */
    public static final int CARD_SAMPLES_PER_BUFFER = 480;
    /** The card's picture rate: videotestsrc's ball flips every 50 frames, so at 50 fps on every whole second. */
    public static final int CARD_FPS = 50;
    private static final int[][] SIZES = {{320, 240}, {640, 480}, {1280, 720}, {1920, 1080}};
    private static final String[] RAW_FORMATS = {"NV12", "I420", "YUY2"};

    /** A webcam that makes MJPEG itself (a USB webcam's 1080p30 mode): {@link MjpegTestCamera}. */
    public static final String MJPEG_CAMERA_ID = "test:mjpeg-camera";

    private final Map<String, Boolean> plugged = new ConcurrentHashMap<>(Map.of(CAMERA_ID, true, MICROPHONE_ID, true,
            MJPEG_CAMERA_ID, true, CAPTURE_CARD_ID, true));
    /** The "gone" switch of every live test source, so pulling one out fails its captures. */
    private final java.util.Deque<Element> liveSwitches = new java.util.concurrent.ConcurrentLinkedDeque<>();
    /** The pads of pulled-out sources with their probes, kept reachable (see {@link #failAtNextBuffer}). */
    private final java.util.Deque<Object[]> pulledOut = new java.util.concurrent.ConcurrentLinkedDeque<>();
    /** Guards a source's plugged check with its switch's registration, against {@link #unplug}. */
    private final Object switchLock = new Object();
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

    /**
     * The test capture card: raw 640x480 pictures at 50 fps (a broadcast rate, and videotestsrc's flip comes every
     * 50th frame: once a second) and 48 kHz sound, lent together as one borrow.
     */
    public static MediaDevice captureCard() {
        List<ControlMessage.Format> formats = new ArrayList<>();
        // 640x480 only: the card's source is not live (see captureCardBin), and at 1280x720 its test pattern could
        // not be drawn 50 times a second on a loaded 2-core machine, so its timestamps fell behind the clock by
        // seconds and the borrower's mapping had to be set again and again (av-bench: 183 times in 30 s).
        formats.add(new ControlMessage.Format("video/x-raw", "I420", 640, 480, CARD_FPS, 1));
        formats.add(new ControlMessage.Format("audio/x-raw", "S16LE", 0, 0, 48000, 1));
        return new MediaDevice(CAPTURE_CARD_ID, ControlMessage.Device.AUDIO_VIDEO,
                "Test capture card (test pattern with tick and beep)", true, formats);
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
        if (plugged.get(CAPTURE_CARD_ID)) {
            out.add(captureCard());
        }
        return out;
    }

    public boolean isTestDevice(String id) {
        return plugged.containsKey(id);
    }

    /**
     * Pulls a test source out: captures of it fail at their next picture as an unplugged camera's do (also one whose
     * lend is starting at that moment), nothing of it flows after, and the catalog drops it.
     */
    public void unplug(String id) {
        List<Element> dying = new ArrayList<>();
        synchronized (switchLock) {
            if (plugged.replace(id, false) == null) {
                throw new IllegalArgumentException("no test device " + id);
            }
            for (java.util.Iterator<Element> it = liveSwitches.iterator(); it.hasNext(); ) {
                Element e = it.next();
                if (e.getName().startsWith(switchPrefix(id))) {
                    dying.add(e);
                    it.remove();
                }
            }
        }
        // Each fails at its next buffer, on its own streaming thread, as v4l2src's read fails when its camera is
        // gone: never from this thread, whose error could reach a pipeline before anyone listens on its bus (a lend
        // starting at that moment), where it would be lost and the capture would run on without pictures.
        dying.forEach(e -> failAtNextBuffer(e, id));
        onChange.run();
    }

    /** What v4l2src says when its camera is pulled out. */
    private static void pullOut(Element e, String id) {
        GstNatives.postResourceError(e, GstPipelineException.RESOURCE_READ, "Could not read from resource.",
                "the test device " + id + " was unplugged (No such device)");
    }

    private void failAtNextBuffer(Element e, String id) {
        org.freedesktop.gstreamer.Pad src = e.getStaticPad("src");
        if (src == null) {
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
        org.freedesktop.gstreamer.Pad.PROBE probe = (pad, info) -> {
            if (told.compareAndSet(false, true)) {
                pullOut(e, id);
            }
            return org.freedesktop.gstreamer.PadProbeReturn.DROP;
        };
        // The pad and its probe stay reachable while GStreamer may call it (a collected JNA callback would crash the
        // streaming thread); a pulled-out source's pipeline ends long before MAX_SWITCHES more are pulled out.
        pulledOut.addLast(new Object[] {src, probe});
        while (pulledOut.size() > MAX_SWITCHES) {
            pulledOut.pollFirst();
        }
        src.addProbe(org.freedesktop.gstreamer.PadProbeType.BUFFER, probe);
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
            synchronized (switchLock) { // checked and registered at once: an unplug comes before or after, never between
                return makeSource(id, name);
            }
        };
    }

    private Bin makeSource(String id, String name) {
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
        if (CAPTURE_CARD_ID.equals(id)) {
            return captureCardBin(name, sw);
        }
        if (CAMERA_ID.equals(id) && ReplayCamera.selected()) {
            Bin bin = ReplayCamera.source(sw);
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
    }

    private void keepSwitch(Element swElement) {
        liveSwitches.addLast(swElement);
        while (liveSwitches.size() > MAX_SWITCHES) {
            liveSwitches.pollFirst();
        }
    }

    /**
     * The capture card's source: one bin with two ghost pads, {@code video} and {@code audio}, whose sources run in
     * the capture's one pipeline on its one clock. Both count their timestamps from 0, so the picture's flip (every
     * 50th frame at 50 fps) and the beep (every 48 000th sample) fall on the same timestamps, and a synced identity
     * after each releases its buffers at their time on the clock, as a capture card delivers them. (Live test sources
     * do not do this: a live videotestsrc stamps its first frame with the running time it started at, hundreds of
     * milliseconds after the audiotestsrc's 0, while it flips by frame count. And audiotestsrc 1.22 puts every tick
     * after the first one buffer early: the sound's timestamps are offset by one buffer, which puts the beeps on the
     * whole seconds; AvCaptureTest checks both.) Each half has its own "gone" switch;
     * unplugging fails both.
     */
    private Bin captureCardBin(String name, String sw) {
        Bin bin = new Bin(name);
        Bin video = Gst.parseBinFromDescription("videotestsrc pattern=ball flip=true "
                + "! video/x-raw,framerate=" + CARD_FPS + "/1 ! identity sync=true name=" + sw + "-video", true);
        video.setName("card-video");
        Bin audio = Gst.parseBinFromDescription("audiotestsrc wave=ticks freq=" + CARD_BEEP_HZ
                + " sine-periods-per-tick=40 tick-interval=" + CARD_TICK_NS + " volume=0.5 timestamp-offset="
                + CARD_SAMPLES_PER_BUFFER * 1_000_000_000L / 48_000 + " samplesperbuffer="
                + CARD_SAMPLES_PER_BUFFER + " ! audio/x-raw,rate=48000 ! identity sync=true name=" + sw + "-audio", true);
        audio.setName("card-audio");
        bin.addMany(video, audio);
        bin.addPad(new GhostPad("video", video.getStaticPad("src")));
        bin.addPad(new GhostPad("audio", audio.getStaticPad("src")));
        keepSwitch(video.getElementByName(sw + "-video"));
        keepSwitch(audio.getElementByName(sw + "-audio"));
        return bin;
    }
}
