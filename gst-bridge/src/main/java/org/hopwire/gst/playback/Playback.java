package org.hopwire.gst.playback;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.BufferFlags;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.elements.AppSink;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.freedesktop.gstreamer.message.Message;
import org.freedesktop.gstreamer.message.MessageType;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.GstRuntime;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.PipelineHost;
import org.hopwire.gst.natives.WrappedMemory;

/**
 * Plays a borrowed device on this host: frames into a bounded, leaky appsrc with the negotiated caps, decoded as the
 * caps need, to the outputs asked for (preview, virtual webcam, recording, speakers).
 *
 * <p>Live behaviour: buffers are stamped with this host's running time when they arrive, and video outputs do not
 * wait for a clock, so no delay can build up however long it runs; every queue is leaky and short, so a late buffer
 * is dropped, not queued. When no frame came for {@link #STALL_AFTER}, the preview shows a "waiting for source"
 * picture and the listener hears of it; the next frame brings the live picture back by itself.
 */
public final class Playback implements AutoCloseable {
    /** How long without frames counts as a stalled source: 30 frame times at 30 fps. */
    public static final Duration STALL_AFTER = Duration.ofSeconds(1);
    /**
     * The preview's largest picture: a look at the stream, not the stream (outputs to a virtual webcam or a file keep
     * the full size). 1280x720 fills a preview window on a 1080p screen; a 1080p30 preview at full size cost the
     * window 2 to 4 times longer pulses on a 2-core machine (app/README.md, benchmark).
     */
    public static final int PREVIEW_MAX_WIDTH = 1280;
    public static final int PREVIEW_MAX_HEIGHT = 720;
    /** The smallest box {@link #fitPreview} takes: a preview too small to see still gets a picture to scale. */
    static final int PREVIEW_MIN_SIDE = 16;
    /** The capsfilter that sets the preview's box. */
    static final String PREVIEW_BOX = "previewbox";
    /** How often a microphone's level is measured: 20 meter updates a second, about a screen's pulse in three. */
    /** What a pipeline's text names where no virtual microphone or PipeWire camera is made (yet). */
    static final String UNUSED_MIC_FEED = "hopwire.feed";
    static final String UNUSED_CAMERA_SOCKET = "/tmp/hopwire-camera/pictures";
    public static final Duration LEVEL_INTERVAL = Duration.ofMillis(50);
    /**
     * Frames of at least this many bytes are handed to GStreamer wrapped, not copied ({@link #push(MediaFrame,
     * Consumer)}): a video frame. Below it a copy costs less than the wrapping's bookkeeping, and audio's many small
     * buffers (a 200 ms speaker queue holds 20) stay out of the in-flight bound.
     */
    static final int WRAP_MIN_BYTES = 64 << 10;
    /**
     * Wrapped frames GStreamer may hold at once, and their bytes: the appsrc, the leaky queues (2 each) and the
     * elements working on one hold about 6 in steady state; past either bound a new frame is dropped at once (the
     * older ones already queued are the ones leaky queues drop), so a stuck output cannot pin the session's pool.
     * 64 MiB is what the appsrc's own bound was when frames were copied.
     */
    static final int MAX_IN_FLIGHT_FRAMES = 16;
    static final long MAX_IN_FLIGHT_BYTES = 64L << 20;
    /** A frame's sender timestamp is remembered this many frames, to report when its picture is shown. */
    private static final int SHOWN_RING = 256;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hopwire-playback-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** {@link Listener#onShown}'s sender timestamp for a picture of a bare byte stream. */
    public static final long NO_SENDER_PTS = Long.MIN_VALUE;

    /** Told what happens; called on GStreamer's or the watchdog's thread, must return quickly. */
    public interface Listener {
        default void onProblem(MediaProblem problem) {
        }

        /** The source stalled (true) or came back (false). */
        default void onStalled(boolean stalled) {
        }

        /**
         * A picture reached the preview: the sender's timestamp of its frame, and when (System.nanoTime). A bare
         * byte stream carries no timestamps: its pictures come with {@link #NO_SENDER_PTS}, in the order sent.
         */
        default void onShown(long senderPts, long shownNanos) {
        }
    }

    private final String name;
    private final Outputs outputs;
    private final Listener listener;
    private final boolean byteStream;
    private final PreviewSlot preview = new PreviewSlot();
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesShown = new AtomicLong();
    private final AtomicLong audioTapped = new AtomicLong();
    /** Wrapped frames GStreamer holds now, their bytes, and frames dropped because of those bounds. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final AtomicLong droppedInFlight = new AtomicLong();
    /** Where wrapped frames go when GStreamer frees them; set once, by the first push that wraps. */
    private volatile Consumer<MediaFrame> frameDone;
    private final WrappedMemory.Freed onFreed = owner -> {
        MediaFrame f = (MediaFrame) owner;
        inFlightBytes.addAndGet(-f.payload().remaining());
        inFlight.decrementAndGet();
        Consumer<MediaFrame> done = frameDone;
        if (done != null) {
            done.accept(f);
        }
    };
    private final long[] ringLocal = new long[SHOWN_RING];
    private final long[] ringSender = new long[SHOWN_RING];
    private final Object lock = new Object();
    private volatile long lastFrameNanos = System.nanoTime();
    private volatile boolean stalled;
    private long pushed;
    /** Written under {@link #lock}; read without it, so the window's thread never waits for a pipeline's rebuild. */
    private volatile String caps;
    private PipelineHost host;
    private AppSrc src;
    private int width;
    private int height;
    private PreviewFrame placeholder;
    /** Guards the preview's box, apart from {@link #lock}: the window sets it and must never wait for a push. */
    private final Object boxLock = new Object();
    /** The preview's pictures fit in this box (pixels, aspect kept, never enlarged); see {@link #fitPreview}. */
    private int previewBoxWidth = PREVIEW_MAX_WIDTH;
    private int previewBoxHeight = PREVIEW_MAX_HEIGHT;
    /** The sound server's virtual microphone while {@link Outputs#virtualMicrophone} is on; kept across caps changes. */
    private volatile VirtualMicrophone microphone;
    /** The PipeWire camera's node name: one per playback, so programs keep it across caps changes. */
    private final String cameraNode = PipeWireCamera.newNodeName();
    /** The shared memory the PipeWire camera's helper reads, and the helper, per pipeline (rebuilt on caps changes). */
    private volatile java.nio.file.Path cameraSocket;
    private volatile PipeWireCamera camera;
    private final ScheduledFuture<?> watchdog;
    private volatile boolean closed;
    private volatile java.util.function.Consumer<ByteBuffer> audioTap = b -> { };
    /** The newest level measured, latest wins; null before the first. */
    private final AtomicReference<AudioLevel> level = new AtomicReference<>();
    /** The last error or warning a pipeline posted, for the preview to say why pictures stopped. */
    private volatile MediaProblem lastProblem;
    private Bus.MESSAGE levelListener;
    /**
     * The recording, when asked for: started with the first caps, kept across {@link #changeCaps}. Its pipeline is
     * named "recording-" + this one's name, so a problem of it still ends with the borrow's channel.
     */
    private RecordingPipeline recording;
    /** A capture card's half: the clock, base time, latency and timestamps it shares with the other half; or null. */
    private volatile AvSync sync;
    private volatile int soundRate = 48000;
    private volatile int soundChannels = 2;

    private Playback(String name, String caps, Outputs outputs, boolean byteStream, Listener listener) {
        this.name = name;
        this.outputs = outputs;
        this.listener = listener;
        this.byteStream = byteStream;
        this.caps = caps;
        this.watchdog = WATCHDOG.scheduleAtFixedRate(this::checkStall, 250, 250, TimeUnit.MILLISECONDS);
    }

    /** Starts playing frames of {@code caps}. */
    public static Playback start(String name, String caps, Outputs outputs, Listener listener)
            throws GstPipelineException, GStreamerUnavailableException {
        return start(name, caps, outputs, false, listener);
    }

    /**
     * Starts playing one half of a capture card's borrow (protocol 3.2) in step with the other half: both halves'
     * pipelines share {@code sync}'s clock, base time, latency and mapping of the owner's timestamps, and their
     * outputs wait for their time (docs/protocol.md, 7.2).
     */
    public static Playback startInStep(String name, String caps, Outputs outputs, Listener listener, AvSync sync)
            throws GstPipelineException, GStreamerUnavailableException {
        Playback p = new Playback(name, caps, outputs, false, listener);
        p.sync = sync;
        try {
            p.build();
        } catch (GstPipelineException | RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /**
     * Starts playing a bare byte stream without Hopwire framing (the kernel documentation's {@code jpegenc !
     * filesink location=/dev/tbstream0}): chunks of any size go to {@link #pushBytes}.
     */
    public static Playback startByteStream(String name, String caps, Outputs outputs, Listener listener)
            throws GstPipelineException, GStreamerUnavailableException {
        return start(name, caps, outputs, true, listener);
    }

    private static Playback start(String name, String caps, Outputs outputs, boolean byteStream, Listener listener)
            throws GstPipelineException, GStreamerUnavailableException {
        Playback p = new Playback(name, caps, outputs, byteStream, listener);
        try {
            p.build();
        } catch (GstPipelineException | RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    static String describe(String caps, Outputs outputs, boolean byteStream, Predicate<String> has)
            throws GstPipelineException {
        return describe(caps, outputs, byteStream, has, RecordingPipeline.storedCapsFor(caps), UNUSED_MIC_FEED,
                UNUSED_CAMERA_SOCKET, boxCaps(PREVIEW_MAX_WIDTH, PREVIEW_MAX_HEIGHT));
    }

    /**
     * The pipeline's text.
     *
     * @param recordCaps   the caps the recording stores (its first format's), whatever {@code caps} are now
     * @param micFeed      the virtual microphone's feed sink
     * @param cameraSocket the PipeWire camera's socket (both used only when those outputs are asked for)
     * @param previewBox   the caps of the box the preview's pictures fit in ({@link #fitPreview})
     */
    static String describe(String caps, Outputs outputs, boolean byteStream, Predicate<String> has,
                           String recordCaps, String micFeed, String cameraSocket, String previewBox)
            throws GstPipelineException {
        String media = caps.split(",", 2)[0].trim();
        boolean audio = media.startsWith("audio/");
        String decode = switch (media) {
            case "video/x-raw", "audio/x-raw" -> "";
            case "image/jpeg" -> byteStream && has.test("jpegparse") ? "jpegparse ! jpegdec ! " : "jpegdec ! ";
            case "video/x-h264" -> {
                require(has, "h264parse", "gstreamer1.0-plugins-bad");
                if (has.test("avdec_h264")) {
                    yield "h264parse ! avdec_h264 ! ";
                }
                require(has, "openh264dec", "gstreamer1.0-libav (avdec_h264)");
                yield "h264parse ! openh264dec ! ";
            }
            default -> throw new GstPipelineException("decoder", "cannot play " + media
                    + ": Hopwire plays raw video, MJPEG, H.264 and raw audio", "");
        };
        if (media.equals("image/jpeg")) {
            require(has, "jpegdec", "gstreamer1.0-plugins-good");
        }
        // Bounded and leaky: a slow output loses old frames instead of delaying new ones.
        // A bare byte stream has no timing: the pictures of one read leave the decoder together, so its outputs
        // take a burst of a second's worth before dropping; framed streams arrive paced and keep two.
        String leaky = "queue max-size-buffers=" + (byteStream ? 30 : 2)
                + " max-size-bytes=0 max-size-time=0 leaky=downstream";
        StringBuilder b = new StringBuilder();
        if (byteStream) {
            // Chunks of a byte stream cannot be dropped (the images would be cut): bounded by bytes, the reader
            // waits, and the link holds the rest. Dropping happens after the decoder, by whole pictures.
            b.append("appsrc name=in is-live=true format=time block=true do-timestamp=true max-bytes=")
                    .append(8 << 20).append(" ! tee name=enc allow-not-linked=true ");
            b.append("enc. ! queue max-size-buffers=0 max-size-time=0 max-size-bytes=").append(8 << 20)
                    .append(" ! ").append(decode).append("tee name=t allow-not-linked=true ");
        } else {
            b.append("appsrc name=in is-live=true format=time block=false leaky-type=downstream max-bytes=")
                    .append(64 << 20).append(" ! tee name=enc allow-not-linked=true ");
            b.append("enc. ! ").append(leaky).append(" ! ").append(decode).append("tee name=t allow-not-linked=true ");
        }
        if (audio) {
            if (outputs.speakers()) {
                b.append("t. ! queue max-size-time=200000000 leaky=downstream ! audioconvert ! audioresample ! "
                        + "autoaudiosink sync=true ");
            }
            if (has.test("level")) {
                // The meter: peak and RMS each LEVEL_INTERVAL, posted on the bus; costs a few multiplications a
                // sample, so every audio playback has it and a meter can be shown whatever the other outputs are.
                b.append("t. ! ").append(leaky).append(" ! level name=level post-messages=true interval=")
                        .append(LEVEL_INTERVAL.toNanos()).append(" ! fakesink sync=false async=false ");
            }
            if (outputs.virtualMicrophone().isPresent()) {
                require(has, "pulsesink", "gstreamer1.0-plugins-good (gstreamer1.0-pulseaudio on older releases)");
                // Not synced to a clock, 40 ms of buffer in 10 ms pieces: sound goes out as it arrives, and a
                // sound server slower than the owner's clock fills the short buffer, so the leaky queue drops
                // instead of delay building up.
                // The borrowed channel count kept: left to negotiate, pulsesink took stereo and the sound server's
                // downmix into the mono source raised the level by 3 dB.
                // 60 ms of queue, not two buffers: a sound server that stalls a moment (a loaded 2-core machine) cost
                // the recorder gaps with two; it still drops rather than delay for ever when the server runs slow.
                b.append("t. ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=60000000 leaky=downstream ! "
                        + "audioconvert ! audioresample ! audio/x-raw,channels=")
                        .append(intField(caps, "channels", 1)).append(" ! pulsesink name=mic device=")
                        .append(micFeed).append(" sync=false buffer-time=40000 latency-time=10000 "
                        + "client-name=Hopwire ");
            }
            if (outputs.pipewireCamera().isPresent()) {
                throw new GstPipelineException("pipewiresink", "a PipeWire camera needs a camera, not a microphone",
                        "");
            }
            if (outputs.audioTap()) {
                b.append("t. ! ").append(leaky).append(" ! appsink name=audiotap sync=false max-buffers=8 drop=true "
                        + "emit-signals=true ");
            }
        } else {
            if (outputs.preview()) {
                // Scaled first, converted second: a picture larger than PREVIEW_MAX is shrunk (aspect kept) while
                // still YUV, which spares the conversion and the screen three quarters of a 1080p picture's pixels.
                // chroma-mode=none: each colour sample is used for its 2x2 pixels instead of being interpolated
                // (cubic by default); on a preview nobody sees the difference, and the conversion of a 720p
                // picture took 0.95 ms instead of 1.75 (gst-launch, 600 frames, best of 3).
                // n-threads=2: each picture is split between two threads, which halves the preview's part of the
                // latency (a 4K picture to 720p: 5.0 ms, then 2.7) for the same CPU time; the preview is the last
                // step before the screen, after the frame's whole trip.
                // The box is the preview's own size on the screen once it says so (fitPreview): the screen then
                // shows each picture as it comes, with no scaling of its own.
                b.append("t. ! ").append(leaky).append(" ! videoscale n-threads=2 ! capsfilter name=")
                        .append(PREVIEW_BOX).append(" caps=\"").append(previewBox).append("\" ! ")
                        .append("videoconvert chroma-mode=none n-threads=2 ! "
                        + "video/x-raw,format=BGRA ! appsink name=preview sync=false max-buffers=1 drop=true "
                        + "emit-signals=true ");
            }
            if (outputs.virtualWebcam().isPresent()) {
                require(has, "v4l2sink", "gstreamer1.0-plugins-good");
                b.append("t. ! ").append(leaky).append(" ! videoconvert ! video/x-raw,format=YUY2 ! v4l2sink device=\"")
                        .append(outputs.virtualWebcam().get()).append("\" sync=false ");
            }
            if (outputs.pipewireCamera().isPresent()) {
                require(has, "shmsink", "gstreamer1.0-plugins-bad");
                require(has, "pipewiresink", "gstreamer1.0-pipewire");
                b.append("t. ! ").append(leaky).append(" ! ")
                        .append(PipeWireCamera.branch(java.nio.file.Path.of(cameraSocket), caps));
            }
            if (outputs.virtualMicrophone().isPresent()) {
                throw new GstPipelineException("pulsesink", "a virtual microphone needs a microphone, not a camera",
                        "");
            }
        }
        if (outputs.recording().isPresent()) {
            // The file is written by a pipeline of its own (RecordingPipeline), which outlives this one's rebuilds.
            b.append(RecordingPipeline.branch(caps, recordCaps, byteStream));
        }
        return b.toString();
    }

    /** An integer field of caps text ("channels=1" or "channels=(int)1"), or {@code otherwise}. */
    static int intField(String caps, String field, int otherwise) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|,)\\s*" + field
                + "\\s*=\\s*(?:\\(int\\))?\\s*(\\d{1,9})").matcher(caps);
        return m.find() ? Integer.parseInt(m.group(1)) : otherwise;
    }

    private static void require(Predicate<String> has, String element, String pkg) throws GstPipelineException {
        if (!has.test(element)) {
            throw new GstPipelineException(element, "the " + element + " element is missing: install " + pkg, "");
        }
    }

    private void build() throws GstPipelineException, GStreamerUnavailableException {
        GstRuntime.init();
        // Checked before the sound server or PipeWire is asked for anything: a pipeline that cannot be built
        // leaves no virtual microphone behind.
        describe(caps, outputs, byteStream, GstRuntime::isInstalled);
        RecordingPipeline rec;
        synchronized (lock) {
            rec = recording;
        }
        if (rec == null && outputs.recording().isPresent()) {
            rec = RecordingPipeline.start("recording-" + name, caps, outputs.recording().get(), this::problem);
            synchronized (lock) {
                recording = rec;
            }
        }
        if (outputs.virtualMicrophone().isPresent() && microphone == null) {
            // From the text, not a Structure: a Structure points into its Caps, which may be freed under it.
            microphone = VirtualMicrophone.create(outputs.virtualMicrophone().get(), intField(caps, "rate", 48000),
                    intField(caps, "channels", 1));
        }
        if (outputs.pipewireCamera().isPresent()) {
            PipeWireCamera.check();
            cameraSocket = PipeWireCamera.newSocket();
        }
        String text = describe();
        Pipeline pipeline = (Pipeline) Gst.parseLaunch(text);
        pipeline.setName(name);
        AvSync inStep = sync;
        if (inStep != null) {
            inStep.prepare(pipeline);
            soundRate = intField(caps, "rate", 48000);
            soundChannels = intField(caps, "channels", 2);
        }
        AppSrc in = (AppSrc) pipeline.getElementByName("in");
        if (!byteStream) {
            in.setCaps(new Caps(caps));
        }
        // A byte stream goes in without caps, as filesrc gives it in the kernel documentation's recipe: jpegdec
        // then finds the image boundaries itself (with "image/jpeg" caps it takes each chunk for a whole image).
        // From the text, not a Structure of a temporary Caps: the Caps may be collected, and its structure freed,
        // while the structure is still read.
        int w = intField(caps, "width", 640);
        int h = intField(caps, "height", 480);
        PipelineHost newHost = new PipelineHost(name, pipeline, this::problem);
        AppSink previewSink = (AppSink) pipeline.getElementByName("preview");
        if (previewSink != null) {
            previewSink.connect((AppSink.NEW_SAMPLE) this::onPreview);
        }
        AppSink recordSink = (AppSink) pipeline.getElementByName("record");
        if (recordSink != null && rec != null) {
            rec.feedFrom(recordSink);
        }
        AppSink tap = (AppSink) pipeline.getElementByName("audiotap");
        if (tap != null) {
            tap.connect((AppSink.NEW_SAMPLE) this::onAudio);
        }
        if (pipeline.getElementByName("level") != null) {
            Bus.MESSAGE onLevel = this::onBusMessage;
            pipeline.getBus().connect(onLevel);
            synchronized (lock) {
                levelListener = onLevel;
            }
        }
        synchronized (lock) {
            host = newHost;
            src = in;
            width = w;
            height = h;
        }
        newHost.play();
        if (outputs.pipewireCamera().isPresent()) {
            // After play: the helper connects to the shared memory shmsink opens when it starts.
            camera = PipeWireCamera.start(cameraSocket, caps(), cameraNode, outputs.pipewireCamera().get());
        }
    }

    private void problem(MediaProblem p) {
        lastProblem = p;
        if (!closed) {
            listener.onProblem(p);
        }
    }

    /**
     * Plays a frame and takes it over: a video frame in direct memory is handed to GStreamer wrapped, without a copy,
     * and given to {@code done} once GStreamer frees it (on a GStreamer thread, or on this one when it is dropped);
     * any other frame is copied and given to {@code done} before this returns. Exactly once either way, also when the
     * frame is dropped (the playback closed, or GStreamer already holds {@link #MAX_IN_FLIGHT_FRAMES} or
     * {@link #MAX_IN_FLIGHT_BYTES}) and when the pipeline is torn down with it inside. {@code done} must be the same
     * for every push of a playback (the session's recycling), must not block and must not throw.
     * Never blocks: when the pipeline is behind, the appsrc drops its oldest buffer.
     */
    public void push(MediaFrame frame, Consumer<MediaFrame> done) {
        ByteBuffer payload = frame.payload();
        if (!payload.isDirect() || payload.remaining() < WRAP_MIN_BYTES) {
            try {
                push(frame);
            } finally {
                done.accept(frame);
            }
            return;
        }
        frameDone = done;
        int length = payload.remaining();
        if (inFlight.get() >= MAX_IN_FLIGHT_FRAMES || inFlightBytes.get() + length > MAX_IN_FLIGHT_BYTES) {
            droppedInFlight.incrementAndGet();
            done.accept(frame);
            arrived();
            return;
        }
        int flags = (frame.isKeyFrame() ? 0 : WrappedMemory.FLAG_DELTA_UNIT)
                | ((frame.bufferFlags() & org.hopwire.engine.protocol.FragmentHeader.DISCONT) != 0
                ? WrappedMemory.FLAG_DISCONT : 0);
        synchronized (lock) {
            if (closed || src == null) {
                done.accept(frame);
                return;
            }
            long local = localPts(frame);
            // Counted before it is wrapped: a refused push frees it (and uncounts it) inside the call.
            inFlight.incrementAndGet();
            inFlightBytes.addAndGet(length);
            int slot = (int) (pushed % SHOWN_RING);
            ringLocal[slot] = local;
            ringSender[slot] = frame.pts();
            if (!WrappedMemory.wrapAndPush(src, payload, local, frame.duration(), flags, frame, onFreed)) {
                inFlight.decrementAndGet();
                inFlightBytes.addAndGet(-length);
                droppedInFlight.incrementAndGet();
                done.accept(frame);
                return;
            }
            pushed++;
        }
        arrived();
    }

    /**
     * Plays a frame: its bytes are copied into a GStreamer buffer, so the caller may recycle the frame at once.
     * Never blocks: when the pipeline is behind, the appsrc drops its oldest buffer.
     */
    public void push(MediaFrame frame) {
        ByteBuffer payload = frame.payload();
        Buffer buffer = new Buffer(payload.remaining());
        buffer.map(true).put(payload.duplicate());
        buffer.unmap();
        EnumSet<BufferFlags> flags = EnumSet.noneOf(BufferFlags.class);
        if (!frame.isKeyFrame()) {
            flags.add(BufferFlags.DELTA_UNIT);
        }
        if ((frame.bufferFlags() & org.hopwire.engine.protocol.FragmentHeader.DISCONT) != 0) {
            flags.add(BufferFlags.DISCONT);
        }
        if (!flags.isEmpty()) {
            buffer.setFlags(flags);
        }
        synchronized (lock) {
            if (closed || src == null) {
                buffer.dispose();
                return;
            }
            long local = localPts(frame);
            buffer.setPresentationTimestamp(local);
            buffer.setDuration(frame.duration());
            int slot = (int) (pushed++ % SHOWN_RING);
            ringLocal[slot] = local;
            ringSender[slot] = frame.pts();
            src.pushBuffer(buffer);
        }
        arrived();
    }

    /**
     * When a frame plays, in this pipeline's running time: now, so outputs show it at once and delay cannot
     * accumulate; a capture card's half instead at the owner's time mapped as the other half's is, so both stay in
     * step. Under {@code lock}.
     */
    private long localPts(MediaFrame frame) {
        AvSync inStep = sync;
        return inStep != null ? inStep.localPts(frame.pts()) : System.nanoTime() - host.pipeline().getBaseTime();
    }

    /** Plays a chunk of a bare byte stream (interop mode); any size, any boundary. */
    public void pushBytes(ByteBuffer chunk) {
        Buffer buffer = new Buffer(chunk.remaining());
        buffer.map(true).put(chunk);
        buffer.unmap();
        synchronized (lock) {
            if (closed || src == null) {
                buffer.dispose();
                return;
            }
            src.pushBuffer(buffer);
        }
        arrived();
    }

    private void arrived() {
        framesIn.incrementAndGet();
        lastFrameNanos = System.nanoTime();
        if (stalled) {
            stalled = false;
            listener.onStalled(false);
        }
    }

    /**
     * The owner changed the caps mid-stream: the pipeline is rebuilt for them (outputs stay the same; a recording
     * goes on in the same file, in its first format, since it has a pipeline of its own).
     * Frames pushed after this follow the new caps.
     */
    public void changeCaps(String newCaps) throws GstPipelineException, GStreamerUnavailableException {
        PipelineHost old;
        synchronized (lock) {
            if (newCaps.equals(caps)) {
                return;
            }
            caps = newCaps;
            old = host;
            host = null;
            src = null;
        }
        if (old != null) {
            disconnectLevel(old);
            old.close();
        }
        closeCamera(); // a new picture size: a new helper for the new pipeline
        build();
    }

    /**
     * The preview is shown in a box of {@code width} x {@code height} screen pixels: its pictures are scaled to fit
     * it from now on (aspect kept, never larger than the picture nor than {@link #PREVIEW_MAX_WIDTH} x
     * {@link #PREVIEW_MAX_HEIGHT}), by the pipeline that scales them anyway. A picture the screen has to scale again
     * costs a software-rendered window more than the whole conversion (a 720p picture shown at 360x202 took 10 to 48
     * ms of painting per picture, app/README.md); one of the box's size is copied. Cheap when the box is the same;
     * a pipeline rebuilt later (new caps) keeps the box.
     */
    public void fitPreview(int width, int height) {
        int w = Math.max(PREVIEW_MIN_SIDE, Math.min(PREVIEW_MAX_WIDTH, width));
        int h = Math.max(PREVIEW_MIN_SIDE, Math.min(PREVIEW_MAX_HEIGHT, height));
        synchronized (boxLock) {
            if (w == previewBoxWidth && h == previewBoxHeight) {
                return;
            }
            previewBoxWidth = w;
            previewBoxHeight = h;
        }
        // Not on the caller's thread (the window's): the pipeline is reached under lock, which a byte stream's push
        // holds while the appsrc is full (it blocks by design), and the window must never wait for that.
        WATCHDOG.execute(this::applyPreviewBox);
    }

    private void applyPreviewBox() {
        synchronized (lock) {
            // Under the lock: close() and changeCaps() take the pipeline away under it, so it is never a closed one.
            Element box = closed || host == null ? null : host.pipeline().getElementByName(PREVIEW_BOX);
            if (box != null) {
                box.setAsString("caps", previewBoxCaps());
            }
        }
    }

    /** The box the preview's pictures fit in now, as {@link #fitPreview} set it. */
    public int[] previewBox() {
        synchronized (boxLock) {
            return new int[] {previewBoxWidth, previewBoxHeight};
        }
    }

    private String previewBoxCaps() {
        synchronized (boxLock) {
            return boxCaps(previewBoxWidth, previewBoxHeight);
        }
    }

    /** Any picture size that fits in {@code width} x {@code height} with square pixels: videoscale keeps the shape. */
    static String boxCaps(int width, int height) {
        return "video/x-raw,width=[1," + width + "],height=[1," + height + "],pixel-aspect-ratio=1/1";
    }

    private FlowReturn onPreview(AppSink sink) {
        Sample sample = sink.pullSample();
        if (sample == null) {
            return FlowReturn.EOS;
        }
        long now = System.nanoTime();
        Structure s = sample.getCaps().getStructure(0);
        PreviewFrame frame = new PreviewFrame(sample, s.getInteger("width"), s.getInteger("height"));
        framesShown.incrementAndGet();
        long sender = byteStream ? NO_SENDER_PTS : senderPts(frame.pts());
        AvSync inStep = sync;
        if (inStep != null) {
            inStep.onPicture(frame, now);
        }
        preview.offer(frame);
        if (sender != Long.MIN_VALUE || byteStream) {
            listener.onShown(sender, now);
        }
        return FlowReturn.OK;
    }

    private FlowReturn onAudio(AppSink sink) {
        Sample sample = sink.pullSample();
        if (sample == null) {
            return FlowReturn.EOS;
        }
        try {
            Buffer b = sample.getBuffer();
            AvSync inStep = sync;
            if (inStep != null) {
                inStep.onSound(b.map(false), soundChannels, soundRate, System.nanoTime(), b.getPresentationTimestamp());
                b.unmap();
            }
            audioTap.accept(b.map(false));
            b.unmap();
            audioTapped.incrementAndGet();
        } finally {
            sample.dispose();
        }
        return FlowReturn.OK;
    }

    /** The level element's message: the loudest channel's peak and RMS become the latest level. */
    private void onBusMessage(Bus bus, Message message) {
        if (message.getType() != MessageType.ELEMENT || message.getStructure() == null) {
            return;
        }
        Structure s = message.getStructure();
        if (!"level".equals(s.getName())) {
            return;
        }
        try {
            level.set(new AudioLevel(AudioLevel.loudest(s.getDoubles("peak")), AudioLevel.loudest(s.getDoubles("rms")),
                    System.nanoTime()));
        } catch (RuntimeException e) {
            // A level message without the fields (another GStreamer version): the meter just stays where it was.
        }
    }

    private long senderPts(long localPts) {
        synchronized (lock) {
            for (long i = pushed - 1; i >= 0 && i >= pushed - SHOWN_RING; i--) {
                int slot = (int) (i % SHOWN_RING);
                if (ringLocal[slot] == localPts) {
                    return ringSender[slot];
                }
            }
        }
        return Long.MIN_VALUE;
    }

    private void checkStall() {
        if (closed || stalled || byteStream && framesIn.get() == 0) {
            return;
        }
        if (System.nanoTime() - lastFrameNanos > STALL_AFTER.toNanos()) {
            stalled = true;
            if (outputs.preview()) {
                preview.offer(placeholder());
            }
            listener.onStalled(true);
        }
    }

    private PreviewFrame placeholder() {
        synchronized (lock) {
            if (placeholder == null || placeholder.width() != width || placeholder.height() != height) {
                placeholder = Placeholder.render(width, height);
            }
            return placeholder;
        }
    }

    /** True while no frame has come for {@link #STALL_AFTER}. */
    public boolean isStalled() {
        return stalled;
    }

    /** The newest microphone level (audio playbacks with GStreamer's level element), empty before the first. */
    public java.util.Optional<AudioLevel> level() {
        return java.util.Optional.ofNullable(level.get());
    }

    /** True when this playback plays sound (its level can be shown), false for pictures. */
    public boolean isAudio() {
        return caps().startsWith("audio/");
    }

    /** The last error or warning its pipeline posted, if any: the likely reason when pictures stop. */
    public java.util.Optional<MediaProblem> lastProblem() {
        return java.util.Optional.ofNullable(lastProblem);
    }

    public PreviewSlot preview() {
        return preview;
    }

    /** Decoded audio buffers (S16LE or as decoded) when {@link Outputs#audioTap} is on; on the streaming thread. */
    public void audioTap(java.util.function.Consumer<ByteBuffer> tap) {
        this.audioTap = tap;
    }

    public long framesIn() {
        return framesIn.get();
    }

    public long framesShown() {
        return framesShown.get();
    }

    /** Wrapped frames GStreamer holds now (not yet given back). */
    public int framesInFlight() {
        return inFlight.get();
    }

    /** Frames dropped because GStreamer already held as many as it may. */
    public long framesDroppedInFlight() {
        return droppedInFlight.get();
    }

    public long audioBuffers() {
        return audioTapped.get();
    }

    public String caps() {
        // Not under the lock: a preview asks on the JavaFX thread at each pulse, and the lock is held while a
        // pipeline is built (sampled waiting there about 12 ms at the first borrow, issue 14).
        return caps;
    }

    /** The pipeline as text, for diagnostics. */
    public String describe() throws GstPipelineException {
        RecordingPipeline rec;
        synchronized (lock) {
            rec = recording;
        }
        VirtualMicrophone mic = microphone;
        return describe(caps(), outputs, byteStream, GstRuntime::isInstalled,
                rec != null ? rec.storedCaps() : RecordingPipeline.storedCapsFor(caps()),
                mic == null ? UNUSED_MIC_FEED : mic.feedSink(),
                cameraSocket == null ? UNUSED_CAMERA_SOCKET : cameraSocket.toString(), previewBoxCaps());
    }

    /** Pictures (or sound buffers) handed to the recording so far; 0 without one. */
    public long framesRecorded() {
        synchronized (lock) {
            return recording == null ? 0 : recording.frames();
        }
    }

    /** The virtual microphone this playback publishes, while it does. */
    public java.util.Optional<VirtualMicrophone> virtualMicrophone() {
        return java.util.Optional.ofNullable(microphone);
    }

    /** The PipeWire camera's node name (PipeWire's node.name) when {@link Outputs#pipewireCamera} is on. */
    public java.util.Optional<String> pipewireCameraNode() {
        return outputs.pipewireCamera().map(n -> cameraNode);
    }

    /**
     * Stops playing. A recording is finished properly first (end of stream through the muxer, at most 3 s), so the
     * file plays back.
     */
    @Override
    public void close() {
        PipelineHost h;
        RecordingPipeline rec;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            h = host;
            rec = recording;
            host = null;
            src = null;
            recording = null;
        }
        watchdog.cancel(false);
        if (h != null) {
            disconnectLevel(h);
            h.close();
        }
        if (rec != null) {
            rec.close(); // after the playback: nothing more comes, and the end of stream finishes the file
        }
        closeCamera();
        VirtualMicrophone mic = microphone;
        microphone = null;
        if (mic != null) {
            mic.close(); // after the pipeline: nothing writes into the feed any more
        }
        preview.clear();
    }

    private void closeCamera() {
        PipeWireCamera c = camera;
        camera = null;
        if (c != null) {
            c.close();
        }
    }

    private void disconnectLevel(PipelineHost h) {
        Bus.MESSAGE l;
        synchronized (lock) {
            l = levelListener;
            levelListener = null;
        }
        if (l != null) {
            h.pipeline().getBus().disconnect(l);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Playback[%s, %s, in=%d, shown=%d]", name, caps, framesIn.get(),
                framesShown.get());
    }
}
