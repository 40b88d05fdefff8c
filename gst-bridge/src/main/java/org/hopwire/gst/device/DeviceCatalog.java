package org.hopwire.gst.device;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.device.Device;
import org.freedesktop.gstreamer.device.DeviceMonitor;
import org.freedesktop.gstreamer.message.MessageType;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.GstRuntime;

/**
 * The devices this host can lend, kept current: cameras, capture cards and microphones from GStreamer's device
 * monitor (with hot-plug: a camera plugged in or pulled out while the app runs is added or removed), plus the
 * built-in test sources. Listeners hear of each addition and removal.
 */
public final class DeviceCatalog implements AutoCloseable {
    /** Told of devices coming and going; called on GStreamer's or the caller's thread, must return quickly. */
    public interface Listener {
        void added(MediaDevice device);

        void removed(MediaDevice device);
    }

    /** A device, how to open it, and the controls it has (its own, or a balance element's). */
    private record Entry(MediaDevice device, SourceFactory source, List<ControlMessage.Control> controls) {
        Entry(MediaDevice device, SourceFactory source) {
            this(device, source, List.of());
        }
    }

    /** The V4L2 controls found per camera path; their values now live in {@link #controlValues}. */
    private static final Map<String, List<ControlMessage.Control>> V4L2_LISTED =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The controls' values set on this host (by a borrower or its own person), by device and name. */
    private final Map<String, Map<String, Long>> controlValues = new java.util.concurrent.ConcurrentHashMap<>();

    private final TestDevices testDevices;
    private final boolean withTestDevices;
    private final boolean useMonitor;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private Map<String, Entry> entries = new LinkedHashMap<>();
    private List<Entry> monitored = List.of();
    private DeviceMonitor monitor;
    private Bus.MESSAGE onMonitorMessage;

    public DeviceCatalog(boolean withTestDevices) {
        this(withTestDevices, true);
    }

    private DeviceCatalog(boolean withTestDevices, boolean useMonitor) {
        this.withTestDevices = withTestDevices;
        this.useMonitor = useMonitor;
        this.testDevices = new TestDevices();
        testDevices.onChange(this::refresh);
    }

    /**
     * A catalog of the test sources only, with no device monitor: for an emulated host, which must not offer this
     * machine's real cameras as its own (and starts faster without probing them).
     */
    public static DeviceCatalog testSourcesOnly() {
        return new DeviceCatalog(true, false);
    }

    /** Starts watching for devices; the test sources are there at once. */
    public void start() throws GStreamerUnavailableException {
        GstRuntime.init();
        if (!useMonitor) {
            refresh();
            return;
        }
        DeviceMonitor m = new DeviceMonitor();
        m.addFilter("Video/Source", null);
        m.addFilter("Audio/Source", null);
        onMonitorMessage = (bus, message) -> {
            MessageType t = message.getType();
            if (t == MessageType.DEVICE_ADDED || t == MessageType.DEVICE_REMOVED || t == MessageType.DEVICE_CHANGED) {
                rescan();
            }
        };
        m.getBus().connect(onMonitorMessage);
        boolean started = m.start();
        synchronized (lock) {
            monitor = m;
        }
        if (started) {
            rescan();
        } else {
            refresh();
        }
    }

    /** Reads the monitor's list again and reports what changed. */
    void rescan() {
        DeviceMonitor m;
        synchronized (lock) {
            m = monitor;
        }
        List<Entry> found = new ArrayList<>();
        if (m != null) {
            for (Device d : m.getDevices()) {
                Entry e = entryOf(d);
                if (e != null) {
                    found.add(e);
                }
            }
        }
        synchronized (lock) {
            monitored = found;
        }
        refresh();
    }

    private static Entry entryOf(Device d) {
        int kind;
        if (d.hasClasses("Video/Source")) {
            kind = ControlMessage.Device.VIDEO;
        } else if (d.hasClasses("Audio/Source")) {
            kind = ControlMessage.Device.AUDIO;
        } else {
            return null;
        }
        String name = d.getDisplayName();
        Caps caps = d.getCaps();
        List<ControlMessage.Format> formats = caps == null ? List.of() : CapsText.formats(caps.toString());
        String id = idOf(d, kind, name);
        if (isHopwireOutput(id)) {
            return null;
        }
        MediaDevice device = new MediaDevice(id, kind, name, false, formats);
        // A V4L2 camera's own controls; other sources (PipeWire, capture cards without them) are lent without.
        // Listed once per device path: a rescan (any device coming or going) must not run v4l2-ctl again for each.
        List<ControlMessage.Control> controls = kind == ControlMessage.Device.VIDEO && id.startsWith("video:/dev/")
                ? V4L2_LISTED.computeIfAbsent(id, k -> V4l2Controls.list(k.substring("video:".length()))) : List.of();
        return new Entry(device, elementName -> d.createElement(elementName), controls);
    }

    /**
     * True for what Hopwire itself publishes (a borrowed microphone's virtual microphone and its feed's monitor, a
     * PipeWire camera): lending those would send a borrowed device back out as this host's own.
     */
    static boolean isHopwireOutput(String id) {
        String name = id.substring(id.indexOf(':') + 1);
        return name.startsWith("hopwire.mic.") || name.startsWith("hopwire.feed.")
                || name.startsWith("hopwire.camera.");
    }

    /** A device's id: its device path or node name where it has one (stable over re-plugging), else its name. */
    private static String idOf(Device d, int kind, String name) {
        String prefix = kind == ControlMessage.Device.VIDEO ? "video:" : "audio:";
        Structure p = d.getProperties();
        if (p != null) {
            for (String key : new String[] {"device.path", "api.v4l2.path", "node.name", "device.name",
                "udev-probed"}) {
                try {
                    if (p.hasField(key)) {
                        String v = p.getString(key);
                        if (v != null && !v.isEmpty()) {
                            return prefix + v;
                        }
                    }
                } catch (RuntimeException e) {
                    // not a string field: try the next key
                }
            }
        }
        return prefix + name.toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    /** Recomputes the list from the monitor's last scan and the test sources, and tells listeners the difference. */
    void refresh() {
        Map<String, Entry> next = new LinkedHashMap<>();
        List<Entry> fromMonitor;
        synchronized (lock) {
            fromMonitor = monitored;
        }
        for (Entry e : fromMonitor) {
            next.putIfAbsent(e.device().id(), e);
        }
        if (withTestDevices) {
            for (MediaDevice t : testDevices.present()) {
                // The test camera has no controls of its own: its captures get a balance element.
                next.put(t.id(), new Entry(t, testDevices.source(t.id()), t.isVideo()
                        && !TestDevices.encodesItself(t.id()) ? Balance.CONTROLS : List.of()));
            }
        }
        List<MediaDevice> added = new ArrayList<>();
        List<MediaDevice> removed = new ArrayList<>();
        synchronized (lock) {
            for (Entry e : next.values()) {
                Entry old = entries.get(e.device().id());
                if (old == null || !old.device().equals(e.device())) {
                    if (old != null) {
                        removed.add(old.device());
                    }
                    added.add(e.device());
                }
            }
            for (Entry old : entries.values()) {
                if (!next.containsKey(old.device().id())) {
                    removed.add(old.device());
                }
            }
            entries = next;
        }
        for (Listener l : listeners) {
            removed.forEach(l::removed);
            added.forEach(l::added);
        }
    }

    /** Adds a listener and tells it of every device present now. */
    public Runnable addListener(Listener listener) {
        listeners.add(listener);
        devices().forEach(listener::added);
        return () -> listeners.remove(listener);
    }

    public List<MediaDevice> devices() {
        synchronized (lock) {
            List<MediaDevice> out = new ArrayList<>();
            entries.values().forEach(e -> out.add(e.device()));
            return out;
        }
    }

    public Optional<MediaDevice> find(String id) {
        synchronized (lock) {
            Entry e = entries.get(id);
            return e == null ? Optional.empty() : Optional.of(e.device());
        }
    }

    /** How to make the device's source element, while it is present. */
    public Optional<SourceFactory> source(String id) {
        synchronized (lock) {
            Entry e = entries.get(id);
            return e == null ? Optional.empty() : Optional.of(e.source());
        }
    }

    /** What this host offers, as the control stream's CATALOG carries it, with each device's controls now. */
    public ControlMessage.Catalog toCatalog() {
        List<ControlMessage.Device> out = new ArrayList<>();
        for (MediaDevice d : devices()) {
            ControlMessage.Device e = d.toCatalogEntry();
            out.add(new ControlMessage.Device(e.id(), e.kind(), e.name(), e.formats(), controls(d.id())));
        }
        return new ControlMessage.Catalog(out);
    }

    /** A device's controls with the values set on this host since it started (else the device's own). */
    public List<ControlMessage.Control> controls(String id) {
        List<ControlMessage.Control> listed;
        synchronized (lock) {
            Entry e = entries.get(id);
            listed = e == null ? List.of() : e.controls();
        }
        Map<String, Long> set = controlValues.getOrDefault(id, Map.of());
        List<ControlMessage.Control> out = new ArrayList<>(listed.size());
        for (ControlMessage.Control c : listed) {
            Long v = set.get(c.name());
            out.add(v == null ? c : c.withValue(v));
        }
        return out;
    }

    /** Whether the device's captures need a balance element for its controls (it has none of its own). */
    public boolean needsBalance(String id) {
        return testDevices.isTestDevice(id) && !TestDevices.encodesItself(id)
                && find(id).map(MediaDevice::isVideo).orElse(false);
    }

    /** Remembers a control's value as set on the device, for the catalog and the device's next captures. */
    public void rememberControl(String id, String name, long value) {
        controlValues.computeIfAbsent(id, k -> new java.util.concurrent.ConcurrentHashMap<>()).put(name, value);
    }

    /** The values set on this host for a device's controls, by name. */
    public Map<String, Long> controlValues(String id) {
        return Map.copyOf(controlValues.getOrDefault(id, Map.of()));
    }

    public TestDevices testDevices() {
        return testDevices;
    }

    @Override
    public void close() {
        DeviceMonitor m;
        synchronized (lock) {
            m = monitor;
            monitor = null;
        }
        if (m != null) {
            m.getBus().disconnect(onMonitorMessage);
            m.stop();
            m.dispose();
        }
        listeners.clear();
    }
}
