package org.hopwire.app.ui.preview;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Supplier;

import javafx.animation.AnimationTimer;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelBuffer;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.StackPane;

import org.hopwire.gst.playback.Playback;
import org.hopwire.gst.playback.PreviewFrame;

/**
 * A live picture from a playback's preview slot, with an overlay naming format, size and the frame rate shown.
 *
 * <p>Latest wins: once per pulse the newest decoded picture is taken from the slot (older ones were freed by the
 * streaming thread) and wrapped, not copied, in a {@link PixelBuffer}. A picture is freed only two pulses after it
 * left the screen, when the renderer can no longer be reading it. The playback is looked up each pulse, so a
 * playback rebuilt for a new format (or after a reconnect) is followed.
 */
public final class PreviewView extends StackPane {
    private final Supplier<Optional<Playback>> playback;
    private final ImageView image = new ImageView();
    private final Label overlay = new Label("Waiting for the first picture…");
    private final Deque<PreviewFrame> onScreen = new ArrayDeque<>(3);
    private final Deque<Long> shownAtNs = new ArrayDeque<>();
    private long framesShown;
    private String lastText = "";
    private final AnimationTimer timer = new AnimationTimer() {
        @Override
        public void handle(long now) {
            pulse(now);
        }
    };

    public PreviewView(Supplier<Optional<Playback>> playback) {
        this.playback = playback;
        getStyleClass().add("preview");
        image.setPreserveRatio(true);
        image.fitWidthProperty().bind(widthProperty());
        image.fitHeightProperty().bind(heightProperty());
        image.setId("preview-image");
        overlay.setId("preview-overlay");
        overlay.getStyleClass().add("preview-overlay");
        StackPane.setAlignment(overlay, Pos.TOP_LEFT);
        getChildren().addAll(image, overlay);
        setMinSize(160, 90);
    }

    /** Starts showing pictures. */
    public void start() {
        timer.start();
    }

    /** Stops and frees every picture it holds. */
    public void stop() {
        timer.stop();
        image.setImage(null);
        onScreen.forEach(PreviewFrame::close);
        onScreen.clear();
    }

    /** Pictures put on the screen so far. */
    public long framesShown() {
        return framesShown;
    }

    private void pulse(long now) {
        Optional<Playback> p = playback.get();
        PreviewFrame frame = p.map(pb -> pb.preview().take()).orElse(null);
        if (frame != null) {
            ByteBuffer pixels = frame.pixels();
            PixelBuffer<ByteBuffer> buffer = new PixelBuffer<>(frame.width(), frame.height(), pixels,
                    PixelFormat.getByteBgraPreInstance());
            image.setImage(new WritableImage(buffer));
            onScreen.addLast(frame);
            while (onScreen.size() > 2) {
                onScreen.removeFirst().close();
            }
            if (!frame.isPlaceholder()) {
                framesShown++;
                shownAtNs.addLast(now);
            }
        }
        while (!shownAtNs.isEmpty() && now - shownAtNs.peekFirst() > 1_000_000_000L) {
            shownAtNs.removeFirst();
        }
        String text = p.map(pb -> describe(pb, frame)).orElse("Not playing");
        if (!text.equals(lastText)) {
            overlay.setText(text);
            lastText = text;
        }
    }

    private String describe(Playback pb, PreviewFrame frame) {
        if (pb.isStalled()) {
            return "Waiting for the source…";
        }
        PreviewFrame last = onScreen.peekLast();
        if (last == null) {
            return "Waiting for the first picture…";
        }
        String size = streamSize(pb.caps()).orElse(last.width() + "x" + last.height());
        String shownAt = size.equals(last.width() + "x" + last.height()) ? ""
                : " (shown at " + last.width() + "x" + last.height() + ")";
        return formatName(pb.caps()) + " " + size + shownAt + " · " + shownAtNs.size() + " fps shown";
    }

    /** "1920x1080" from the caps the owner sends, when they say. */
    static Optional<String> streamSize(String caps) {
        java.util.regex.Matcher w = java.util.regex.Pattern.compile("width=(?:\\(int\\))?(\\d+)").matcher(caps);
        java.util.regex.Matcher h = java.util.regex.Pattern.compile("height=(?:\\(int\\))?(\\d+)").matcher(caps);
        return w.find() && h.find() ? Optional.of(w.group(1) + "x" + h.group(1)) : Optional.empty();
    }

    /** "raw NV12", "MJPEG", "H.264", from the caps text the owner sends. */
    static String formatName(String caps) {
        if (caps.startsWith("image/jpeg")) {
            return "MJPEG";
        }
        if (caps.startsWith("video/x-h264")) {
            return "H.264";
        }
        if (caps.startsWith("video/x-raw")) {
            int at = caps.indexOf("format=");
            if (at >= 0) {
                String rest = caps.substring(at + "format=".length()).replace("(string)", "");
                int end = rest.indexOf(',');
                return "raw " + (end < 0 ? rest : rest.substring(0, end)).trim();
            }
            return "raw";
        }
        int end = caps.indexOf(',');
        return end < 0 ? caps : caps.substring(0, end);
    }
}
