package org.hopwire.gst;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.message.ErrorMessage;
import org.freedesktop.gstreamer.message.Message;
import org.freedesktop.gstreamer.message.MessageType;
import org.freedesktop.gstreamer.message.WarningMessage;
import org.hopwire.gst.natives.GstNatives;

/**
 * Owns one pipeline: keeps it referenced (a collected pipeline stops), turns its bus errors and warnings into
 * {@link MediaProblem}s, and stops and frees it exactly once.
 */
public final class PipelineHost implements AutoCloseable {
    private final String name;
    private final Pipeline pipeline;
    private final Bus.MESSAGE onMessage;
    private volatile boolean closed;

    public PipelineHost(String name, Pipeline pipeline, Consumer<MediaProblem> problems) {
        this.name = name;
        this.pipeline = Objects.requireNonNull(pipeline);
        this.onMessage = (bus, message) -> {
            MessageType type = message.getType();
            if (type == MessageType.ERROR || type == MessageType.WARNING) {
                problems.accept(problemOf(message, type == MessageType.WARNING));
            }
        };
        pipeline.getBus().connect(onMessage);
    }

    private MediaProblem problemOf(Message message, boolean warning) {
        String element = message.getSource() == null ? name : message.getSource().getName();
        String text = message instanceof ErrorMessage e ? e.getMessage()
                : message instanceof WarningMessage w ? w.getMessage() : null;
        GstNatives.ErrorDetail detail;
        try {
            detail = GstNatives.errorDetail(message, warning);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            detail = new GstNatives.ErrorDetail("", 0, "");
        }
        String debug = detail.debug();
        if (text == null || text.isEmpty()) {
            text = firstLine(debug);
        }
        return new MediaProblem(warning ? MediaProblem.Severity.WARNING : MediaProblem.Severity.ERROR, name, element,
                text, debug, detail.domain(), detail.code());
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public String name() {
        return name;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** Starts the pipeline; live sources begin at once. */
    public void play() {
        pipeline.play();
    }

    /** The pipeline's current state, waiting up to {@code millis} for a change in progress. */
    public State state(long millis) {
        return pipeline.getState(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pipeline.setState(State.NULL);
        pipeline.getBus().disconnect(onMessage);
        pipeline.dispose();
    }
}
