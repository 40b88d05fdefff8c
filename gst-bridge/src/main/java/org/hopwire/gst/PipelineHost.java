package org.hopwire.gst;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.BusSyncReply;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.message.Message;
import org.freedesktop.gstreamer.message.MessageType;
import org.hopwire.gst.natives.GstNatives;

/**
 * Owns one pipeline: keeps it referenced (a collected pipeline stops), turns its bus errors and warnings into
 * {@link MediaProblem}s, and stops and frees it exactly once.
 *
 * <p>No pipeline outlives the JVM: one still running when the JVM exits (a caller that never closed it) is stopped
 * by a shutdown hook, and named on stderr. A running pipeline's streaming threads post bus messages, and each
 * message calls into Java; one that arrived while the C library ran its exit handlers crashed a test JVM once
 * (SIGSEGV in libc on a native thread, after every test had passed), since a borrowed microphone's level element
 * posts twenty messages a second.
 */
public final class PipelineHost implements AutoCloseable {
    private static final Set<PipelineHost> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(PipelineHost::stopAllAtExit, "hopwire-pipelines-at-exit"));
    }

    private final String name;
    private final Pipeline pipeline;
    /** The bus listener of a plain host; null for a host that routes its problems by their source. */
    private final Bus.MESSAGE onMessage;
    private volatile boolean closed;

    /**
     * Told of a pipeline's problems with where in it they came from: the names from the pipeline down to the element
     * that posted it ({@code [pipeline, bin, ..., element]}), taken while the element is still in its bins.
     */
    public interface RoutedProblems {
        /**
         * On the thread that posted the problem (often a streaming thread, which waits): must be quick and must not
         * change the pipeline's state; what it may do is stop data going into the failing part (a probe).
         */
        void posted(MediaProblem problem, List<String> path);

        /** Afterwards, on GStreamer's dispatch thread, where a plain host's problems are told. */
        void dispatched(MediaProblem problem, List<String> path);
    }

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
        OPEN.add(this);
    }

    /**
     * A host whose problems carry their source's path, for a pipeline shared by parts that fail on their own (a
     * device's branches): the path is read when the problem is posted, since a part taken off later has no parents.
     */
    public PipelineHost(String name, Pipeline pipeline, RoutedProblems problems) {
        this.name = name;
        this.pipeline = Objects.requireNonNull(pipeline);
        this.onMessage = null;
        pipeline.getBus().setSyncHandler(message -> {
            MessageType type = message.getType();
            if (!closed && (type == MessageType.ERROR || type == MessageType.WARNING)) {
                MediaProblem p = problemOf(message, type == MessageType.WARNING);
                List<String> path = pathOf(message.getSource());
                problems.posted(p, path);
                Gst.getExecutor().execute(() -> problems.dispatched(p, path));
            }
            return BusSyncReply.DROP; // nobody else listens on this bus
        });
        OPEN.add(this);
    }

    /** The names from the outermost bin down to {@code o}; just its own when it is not in this pipeline. */
    private List<String> pathOf(GstObject o) {
        if (o == null) {
            return List.of();
        }
        String text;
        try {
            text = GstNatives.pathString(o);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return List.of(o.getName());
        }
        return splitPath(text, name);
    }

    /**
     * The names in a GStreamer path under the pipeline {@code root}: "/GstPipeline:lend-v4l2:/dev/video0/GstBin:b/X:y"
     * is [lend-v4l2:/dev/video0, b, y]. The pipeline's name may hold ':' and '/' (a device path), so it is matched
     * whole; the names below it are this program's own or GStreamer's, which hold neither.
     */
    static List<String> splitPath(String text, String root) {
        java.util.ArrayList<String> names = new java.util.ArrayList<>();
        String rest = text;
        int at = text.indexOf(':'); // the first component's "Type:" (a type name holds no ':')
        int after = at + 1 + root.length();
        if (at > 0 && text.startsWith(root, at + 1) && (after == text.length() || text.charAt(after) == '/')) {
            names.add(root);
            rest = text.substring(after);
        }
        for (String part : rest.split("/")) {
            if (!part.isEmpty()) {
                int colon = part.indexOf(':');
                names.add(colon < 0 ? part : part.substring(colon + 1));
            }
        }
        return List.copyOf(names);
    }

    /** The names of the pipelines not closed yet (tests look for leaks with it). */
    public static List<String> openNames() {
        return OPEN.stream().map(PipelineHost::name).sorted().toList();
    }

    private static void stopAllAtExit() {
        for (PipelineHost h : List.copyOf(OPEN)) {
            System.err.println("hopwire: pipeline '" + h.name + "' was still running at exit: stopped");
            try {
                h.pipeline.setState(State.NULL);
                h.detachBus();
            } catch (RuntimeException | LinkageError e) {
                // Exiting anyway: the others still get stopped.
            }
        }
    }

    private MediaProblem problemOf(Message message, boolean warning) {
        String element = message.getSource() == null ? name : message.getSource().getName();
        GstNatives.ErrorDetail detail;
        try {
            detail = GstNatives.errorDetail(message, warning);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            detail = GstNatives.ErrorDetail.NONE;
        }
        String text = detail.text();
        String debug = detail.debug();
        if (text.isEmpty()) {
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
        OPEN.remove(this);
        pipeline.setState(State.NULL);
        detachBus();
        pipeline.dispose();
    }

    private void detachBus() {
        if (onMessage != null) {
            pipeline.getBus().disconnect(onMessage);
        } else {
            pipeline.getBus().clearSyncHandler();
        }
    }
}
