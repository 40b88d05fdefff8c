package org.hopwire.app.ui.preview;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Supplier;

import javafx.animation.AnimationTimer;
import javafx.css.PseudoClass;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelBuffer;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

import org.hopwire.app.text.Text;
import org.hopwire.gst.playback.AudioLevel;
import org.hopwire.gst.playback.Playback;
import org.hopwire.gst.playback.PreviewFrame;

/**
 * A live picture from a playback's preview slot, with an overlay naming format, size and the frame rate shown; for a
 * microphone, a level meter instead of a picture. When nothing new came for {@link #STALLED_AFTER_NS} it says
 * "Stalled" (with the reason when the playback knows one) and recovers by itself when pictures return.
 *
 * <p>Latest wins: once per pulse the newest decoded picture is taken from the slot (older ones were freed by the
 * streaming thread), copied into one of two {@link PixelBuffer}s that live as long as the picture's size, and freed
 * at once. The two take turns: the one written is never the one the renderer may still be reading from the last
 * pulse. A new image per picture (as this view once wrapped each picture) costs the renderer a new texture each time,
 * which in software rendering is a new array of the picture's size per frame (3.7 MB at 720p, 110 MB/s at 30 fps,
 * each one a humongous allocation for G1 and a pause soon after); a copy costs well under a millisecond. The playback
 * is looked up each pulse, so a playback rebuilt for a new format (or after a reconnect) is followed. A pulse changes
 * a node only when what it shows changed (the overlay's text, the meter's bar), so a steady picture costs the scene
 * graph nothing more.
 */
public final class PreviewView extends StackPane {
    /** Without a new picture (or a new level) this long, the preview says the source stalled. */
    public static final long STALLED_AFTER_NS = 2_000_000_000L;
    private static final PseudoClass STALLED = PseudoClass.getPseudoClass("stalled");
    private static final PseudoClass AUDIO = PseudoClass.getPseudoClass("audio");

    private final Supplier<Optional<Playback>> playback;
    private final String source;
    private final ImageView image = new ImageView();
    private final Label overlay = new Label(Text.tr("preview.waiting.first"));
    private final Meter meter;
    /** A capture card's sound beside its pictures: its level under the picture; none for a camera. */
    private Supplier<Optional<Playback>> sound = Optional::empty;
    private final Meter soundMeter;
    private long lastSoundLevelAtNs;
    /** Width of a preview with no size given, in pixels at the picture's shape. */
    private static final double DEFAULT_WIDTH = 640;
    /** The pictures' height over their width: 16:9 until a picture says otherwise. */
    private double aspect = 9.0 / 16.0;
    /** The two pictures taking turns on the screen, for the size {@link #shownWidth} x {@link #shownHeight}. */
    private final PixelBuffer<ByteBuffer>[] buffers = newPair();
    private final WritableImage[] images = new WritableImage[2];
    private int nextBuffer;
    private int shownWidth;
    private int shownHeight;
    private final Deque<Long> shownAtNs = new ArrayDeque<>();
    private long framesShown;
    private long levelsShown;
    private long startedNs;
    private long lastNewNs;
    private long lastLevelAtNs;
    private boolean stalled;
    private String lastText = "";
    private static final java.util.regex.Pattern WIDTH = java.util.regex.Pattern.compile(
            "width=(?:\\(int\\))?(\\d+)");
    private static final java.util.regex.Pattern HEIGHT = java.util.regex.Pattern.compile(
            "height=(?:\\(int\\))?(\\d+)");
    /** The caps last read for the overlay, and what they say. */
    private String readCaps;
    private String capsFormat;
    private Optional<String> capsSize = Optional.empty();
    /** How long the view's size must hold before the playback is asked for pictures of it. */
    static final long RESIZE_SETTLE_NS = 150_000_000L;
    /** The playback last asked for pictures of this view's size, and that size (screen pixels). */
    private Playback askedOf;
    private int askedWidth;
    private int askedHeight;
    /** The view's size in screen pixels at the last pulse, and since when it has been that. */
    private int sizeNowWidth;
    private int sizeNowHeight;
    private long sizeSinceNs;
    private final AnimationTimer timer = new AnimationTimer() {
        @Override
        public void handle(long now) {
            pulse(now);
        }
    };

    /** A preview with no names to tell (tests, the warm-up). */
    public PreviewView(Supplier<Optional<Playback>> playback) {
        this(playback, "", "");
    }

    /**
     * @param device the device's name, shown above a microphone's meter
     * @param source who sends it ("Demo laptop"), named when it stalls; empty for this host's own devices
     */
    public PreviewView(Supplier<Optional<Playback>> playback, String device, String source) {
        this.playback = playback;
        this.source = source;
        this.meter = new Meter(device);
        this.soundMeter = new Meter(Text.tr("card.preview.sound"));
        soundMeter.setId("preview-sound-meter");
        soundMeter.setPadding(new javafx.geometry.Insets(4));
        soundMeter.setMaxSize(260, USE_PREF_SIZE);
        soundMeter.setVisible(false);
        StackPane.setAlignment(soundMeter, Pos.BOTTOM_CENTER);
        getStyleClass().add("preview");
        image.setPreserveRatio(true);
        // The picture is placed by this view alone (unmanaged): a picture arriving or changing does not ask the
        // window to lay itself out again, which the first picture of a borrow did (66 to 111 ms on the UI thread
        // in software rendering). The view's own size follows the pictures' shape only (see computePrefHeight).
        image.setManaged(false);
        image.layoutBoundsProperty().addListener(o -> placeImage());
        image.setId("preview-image");
        overlay.setId("preview-overlay");
        org.hopwire.app.ui.Tooltips.whenTruncated(overlay);
        overlay.getStyleClass().add("preview-overlay");
        StackPane.setAlignment(overlay, Pos.TOP_LEFT);
        meter.setVisible(false);
        getChildren().addAll(image, meter, soundMeter, overlay);
        setMinSize(160, 90);
    }

    /**
     * Shows the level of the sound that comes with the pictures (a capture card's other half) under the picture.
     * Returns this preview.
     */
    public PreviewView withSound(Supplier<Optional<Playback>> soundPlayback) {
        this.sound = soundPlayback;
        return this;
    }

    /** True when it shows the level of the sound that comes with the pictures. */
    public boolean showsSoundMeter() {
        return soundMeter.isVisible();
    }

    @Override
    protected void layoutChildren() {
        super.layoutChildren();
        fitImage();
        placeImage();
    }

    /**
     * Fits the picture to the view, aspect kept. A picture the playback made for this view's size (see
     * {@link #askForPicturesOfThisSize}) is shown as it is, pixel for pixel: the renderer then copies it rather than
     * scaling it, which in software rendering was most of a picture's cost.
     */
    private void fitImage() {
        double boxWidth = getWidth();
        double boxHeight = getHeight();
        double pictureWidth = shownWidth / outputScaleX();
        double pictureHeight = shownHeight / outputScaleY();
        boolean madeForTheBox = shownWidth > 0 && pictureWidth <= boxWidth + 1 && pictureHeight <= boxHeight + 1
                && (pictureWidth >= boxWidth - 1 || pictureHeight >= boxHeight - 1);
        image.setFitWidth(madeForTheBox ? pictureWidth : boxWidth);
        image.setFitHeight(madeForTheBox ? pictureHeight : boxHeight);
    }

    /**
     * Asks the playback for pictures of the size this view shows them at, in screen pixels, so that the screen has
     * nothing left to scale. While the view is being resized (a window dragged larger) the pictures are fitted as
     * they come, and the playback is asked once the size has held for {@link #RESIZE_SETTLE_NS}; a playback it has
     * not asked yet (the first, or one rebuilt for a new format) is asked at once.
     */
    private void askForPicturesOfThisSize(long now, Playback pb) {
        int w = (int) Math.floor(getWidth() * outputScaleX());
        int h = (int) Math.floor(getHeight() * outputScaleY());
        if (w <= 0 || h <= 0) {
            return;
        }
        if (w != sizeNowWidth || h != sizeNowHeight) {
            sizeNowWidth = w;
            sizeNowHeight = h;
            sizeSinceNs = now;
        }
        boolean settled = now - sizeSinceNs >= RESIZE_SETTLE_NS;
        if (pb != askedOf || settled && (w != askedWidth || h != askedHeight)) {
            pb.fitPreview(w, h);
            askedOf = pb;
            askedWidth = w;
            askedHeight = h;
        }
    }

    private double outputScaleX() {
        return getScene() == null || getScene().getWindow() == null ? 1 : getScene().getWindow().getOutputScaleX();
    }

    private double outputScaleY() {
        return getScene() == null || getScene().getWindow() == null ? 1 : getScene().getWindow().getOutputScaleY();
    }

    /** Centres the fitted picture in the view. */
    private void placeImage() {
        javafx.geometry.Bounds b = image.getLayoutBounds();
        image.relocate(snapPositionX((getWidth() - b.getWidth()) / 2), snapPositionY((getHeight() - b.getHeight())
                / 2));
    }

    /** As wide as a picture of the preview's usual size when nothing else decides. */
    @Override
    protected double computePrefWidth(double height) {
        double inner = height > 0 ? (height - snappedTopInset() - snappedBottomInset()) / aspect : DEFAULT_WIDTH;
        return Math.max(super.computePrefWidth(height), snappedLeftInset() + inner + snappedRightInset());
    }

    /** As tall as the pictures' shape asks for at {@code width}. */
    @Override
    protected double computePrefHeight(double width) {
        double inner = (width > 0 ? width - snappedLeftInset() - snappedRightInset() : DEFAULT_WIDTH) * aspect;
        return Math.max(super.computePrefHeight(width), snappedTopInset() + inner + snappedBottomInset());
    }

    /** Starts showing pictures. */
    public void start() {
        timer.start();
    }

    /** Stops and frees every picture it holds. */
    public void stop() {
        timer.stop();
        image.setImage(null);
        java.util.Arrays.fill(buffers, null);
        java.util.Arrays.fill(images, null);
        shownWidth = 0;
        shownHeight = 0;
        askedOf = null;
    }

    @SuppressWarnings("unchecked")
    private static PixelBuffer<ByteBuffer>[] newPair() {
        return (PixelBuffer<ByteBuffer>[]) new PixelBuffer<?>[2];
    }

    /** Pictures put on the screen so far. */
    public long framesShown() {
        return framesShown;
    }

    /** Microphone levels put on the meter so far. */
    public long levelsShown() {
        return levelsShown;
    }

    /** True while it says the source stalled. */
    public boolean isStalled() {
        return stalled;
    }

    /** What the overlay says now. */
    public String overlayText() {
        return overlay.getText();
    }

    /** True when it shows a microphone's meter rather than pictures. */
    public boolean showsMeter() {
        return meter.isVisible();
    }

    private void pulse(long now) {
        if (startedNs == 0) {
            startedNs = now;
            lastNewNs = now;
        }
        Optional<Playback> p = playback.get();
        // Without a playback (the borrow waits for its owner) it stays what it was: a silent meter, not a picture.
        boolean audio = p.map(Playback::isAudio).orElse(meter.isVisible());
        if (audio != meter.isVisible()) {
            meter.setVisible(audio);
            image.setVisible(!audio);
            pseudoClassStateChanged(AUDIO, audio);
        }
        if (audio) {
            p.ifPresent(pb -> pulseAudio(now, pb));
        } else {
            p.ifPresent(pb -> askForPicturesOfThisSize(now, pb));
            pulseVideo(now, p);
            pulseSound();
        }
        while (!shownAtNs.isEmpty() && now - shownAtNs.peekFirst() > 1_000_000_000L) {
            shownAtNs.removeFirst();
        }
        // A playback that went away (the owner left; the borrow waits to resume) is a stall too, not "live".
        boolean nowStalled = (p.isPresent() || framesShown + levelsShown > 0) && now - lastNewNs > STALLED_AFTER_NS;
        if (nowStalled != stalled) {
            stalled = nowStalled;
            pseudoClassStateChanged(STALLED, stalled);
        }
        String text = p.map(pb -> describe(pb, now)).orElseGet(() -> stalled ? Text.tr("preview.stalled",
                nothingFrom(), (now - lastNewNs) / 1_000_000_000L) : Text.tr("preview.not.playing"));
        if (!text.equals(lastText)) {
            overlay.setText(text);
            lastText = text;
        }
    }

    private void pulseVideo(long now, Optional<Playback> p) {
        PreviewFrame frame = p.map(pb -> pb.preview().take()).orElse(null);
        if (frame == null) {
            return;
        }
        try {
            show(frame);
        } finally {
            frame.close();
        }
        if (!frame.isPlaceholder()) {
            framesShown++;
            shownAtNs.addLast(now);
            lastNewNs = now;
        }
    }

    /** Copies the picture into the buffer the renderer is not reading, and puts that one on the screen. */
    private void show(PreviewFrame frame) {
        int w = frame.width();
        int h = frame.height();
        int bytes = w * h * 4;
        if (w != shownWidth || h != shownHeight) {
            for (int i = 0; i < 2; i++) {
                buffers[i] = new PixelBuffer<>(w, h, ByteBuffer.allocateDirect(bytes),
                        PixelFormat.getByteBgraPreInstance());
                images[i] = new WritableImage(buffers[i]);
            }
            shownWidth = w;
            shownHeight = h;
            nextBuffer = 0;
            double shape = (double) h / w;
            if (Math.abs(shape - aspect) > 0.01) {
                // Another shape: the window makes room for it (the one time a picture moves the layout).
                aspect = shape;
                requestLayout();
            } else {
                fitImage();
            }
        }
        int k = nextBuffer;
        nextBuffer ^= 1;
        ByteBuffer source = frame.pixels().duplicate();
        source.clear().limit(bytes);
        buffers[k].updateBuffer(b -> {
            ByteBuffer target = b.getBuffer();
            target.clear();
            target.put(source);
            return null; // all of it changed
        });
        image.setImage(images[k]);
    }

    /** A capture card's sound level under its picture; hidden when the pictures have no sound with them. */
    private void pulseSound() {
        Optional<Playback> s = sound.get();
        boolean show = s.isPresent() && !meter.isVisible();
        if (show != soundMeter.isVisible()) {
            soundMeter.setVisible(show);
        }
        Optional<AudioLevel> level = s.flatMap(Playback::level);
        if (level.isPresent() && level.get().measuredAtNs() != lastSoundLevelAtNs) {
            lastSoundLevelAtNs = level.get().measuredAtNs();
            soundMeter.show(level.get());
        }
    }

    private void pulseAudio(long now, Playback pb) {
        Optional<AudioLevel> level = pb.level();
        if (level.isPresent() && level.get().measuredAtNs() != lastLevelAtNs) {
            lastLevelAtNs = level.get().measuredAtNs();
            meter.show(level.get());
            levelsShown++;
            lastNewNs = now;
        }
    }

    private String describe(Playback pb, long now) {
        if (stalled) {
            return Text.tr("preview.stalled", stallReason(pb), (now - lastNewNs) / 1_000_000_000L);
        }
        if (pb.isAudio()) {
            return levelsShown == 0 ? Text.tr("preview.waiting.sound") : Text.tr("preview.microphone",
                    formatName(pb.caps()));
        }
        if (shownWidth == 0 || framesShown == 0) {
            return Text.tr("preview.waiting.first");
        }
        String shown = shownWidth + "x" + shownHeight;
        readCaps(pb.caps());
        String size = capsSize.orElse(shown);
        return size.equals(shown) ? Text.tr("preview.overlay", capsFormat, size, shownAtNs.size())
                : Text.tr("preview.overlay.scaled", capsFormat, size, shown, shownAtNs.size());
    }

    /** The format's name and the stream's size, read again only when the caps change (the overlay asks each pulse). */
    private void readCaps(String caps) {
        if (!caps.equals(readCaps)) {
            readCaps = caps;
            capsFormat = formatName(caps);
            capsSize = streamSize(caps);
        }
    }

    /** Why nothing new came, in words: the pipeline's last problem, or the source sending nothing. */
    private String stallReason(Playback pb) {
        if (pb.lastProblem().isPresent()) {
            return pb.lastProblem().get().message();
        }
        if (pb.isStalled() || pb.framesIn() == 0) {
            return nothingFrom();
        }
        return Text.tr("preview.stalled.none.shown");
    }

    private String nothingFrom() {
        return source.isEmpty() ? Text.tr("preview.stalled.nothing") : Text.tr("preview.stalled.nothing.from", source);
    }

    /** "1920x1080" from the caps the owner sends, when they say. */
    static Optional<String> streamSize(String caps) {
        java.util.regex.Matcher w = WIDTH.matcher(caps);
        java.util.regex.Matcher h = HEIGHT.matcher(caps);
        return w.find() && h.find() ? Optional.of(w.group(1) + "x" + h.group(1)) : Optional.empty();
    }

    /** "raw NV12", "MJPEG", "H.264", "raw S16LE", from the caps text the owner sends. */
    static String formatName(String caps) {
        if (caps.startsWith("image/jpeg")) {
            return "MJPEG";
        }
        if (caps.startsWith("video/x-h264")) {
            return "H.264";
        }
        if (caps.startsWith("video/x-raw") || caps.startsWith("audio/x-raw")) {
            int at = caps.indexOf("format=");
            if (at >= 0) {
                String rest = caps.substring(at + "format=".length()).replace("(string)", "");
                int end = rest.indexOf(',');
                return Text.tr("preview.format.raw.named", (end < 0 ? rest : rest.substring(0, end)).trim());
            }
            return Text.tr("preview.format.raw");
        }
        int end = caps.indexOf(',');
        return end < 0 ? caps : caps.substring(0, end);
    }

    /** A microphone's level: the device's name, a bar from the floor (-60 dB) to full scale, and the peak in dB. */
    static final class Meter extends VBox {
        private final Region fill = new Region();
        private final Region track = new Region();
        private final Label value = new Label(Text.tr("preview.meter.silent"));
        private long shownTenths = Long.MIN_VALUE;

        Meter(String device) {
            super(8);
            setId("preview-meter");
            getStyleClass().add("level-meter");
            setAlignment(Pos.CENTER);
            setMaxSize(420, USE_PREF_SIZE);
            Label name = new Label(device);
            name.getStyleClass().add("level-meter-name");
            track.getStyleClass().add("level-meter-track");
            fill.getStyleClass().add("level-meter-fill");
            fill.setId("preview-meter-bar");
            fill.setMaxWidth(0);
            StackPane bar = new StackPane(track, fill);
            bar.setAlignment(Pos.CENTER_LEFT);
            bar.setPrefHeight(16);
            bar.setMinHeight(16);
            value.setId("preview-meter-value");
            value.getStyleClass().add("level-meter-value");
            getChildren().addAll(name, bar, value);
            setPadding(new javafx.geometry.Insets(16));
        }

        /** Moves the bar; the label changes only when a value does (tenths of a dB). */
        void show(AudioLevel level) {
            double db = Math.max(AudioLevel.FLOOR_DB, Math.min(0, level.peakDb()));
            double fraction = (db - AudioLevel.FLOOR_DB) / -AudioLevel.FLOOR_DB;
            fill.setMaxWidth(Math.max(0, track.getWidth() * fraction));
            // Both values in tenths of a dB, as one key: the text changes only when what it says does.
            long tenths = Math.round(Math.max(-999, level.peakDb()) * 10) * 100_000
                    + Math.round(Math.max(-999, level.rmsDb()) * 10);
            if (tenths != shownTenths) {
                shownTenths = tenths;
                value.setText(level.peakDb() <= AudioLevel.FLOOR_DB ? Text.tr("preview.meter.silent")
                        : Text.tr("preview.meter.db", level.peakDb(), level.rmsDb()));
            }
        }

        /** The bar's share of the track, 0 to 1 (tests). */
        double fraction() {
            return track.getWidth() <= 0 ? 0 : fill.getMaxWidth() / track.getWidth();
        }
    }

    /** The meter's bar, 0 (silence) to 1 (full scale), for tests. */
    public double meterFraction() {
        return meter.fraction();
    }
}
