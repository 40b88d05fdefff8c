package org.hopwire.app.core;

import java.nio.file.Path;
import java.util.Optional;

import org.hopwire.app.text.Text;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.trust.PeerStore;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.device.DeviceCatalog;

/**
 * Everything the app runs on, opened in order and closed in reverse: the fabric (the driver, or the emulated demo
 * with its {@link DemoPeer}), this host's devices, the pairing store and the {@link Hub}. The window and the
 * headless commands share it.
 */
public final class Services implements AutoCloseable {
    /** Hopwire's version, as HELLO tells peers. */
    public static final String VERSION = "0.1.0";

    private final SettingsStore settings;
    private final Fabric fabric;
    private final Optional<DemoPeer> demo;
    private final DeviceCatalog devices;
    private final Hub hub;
    private final String status;

    private Services(SettingsStore settings, Fabric fabric, Optional<DemoPeer> demo, DeviceCatalog devices, Hub hub,
                     String status) {
        this.settings = settings;
        this.fabric = fabric;
        this.demo = demo;
        this.devices = devices;
        this.hub = hub;
        this.status = status;
    }

    /**
     * Opens the fabric chosen on the command line (or, when that says nothing, in the settings) and starts the hub.
     * On failure nothing is left open.
     *
     * @param choice     empty to use the settings' choice
     * @param configDir  settings, pairings and the demo peer's state
     */
    public static Services open(Path configDir, Optional<Fabrics.Choice> choice, String hostName, Asker asker)
            throws FabricException, GStreamerUnavailableException {
        return open(new SettingsStore(configDir), choice, hostName, asker);
    }

    /** As above, with settings already loaded (the window reads its size from them before this returns). */
    public static Services open(SettingsStore settings, Optional<Fabrics.Choice> choice, String hostName,
                                Asker asker) throws FabricException, GStreamerUnavailableException {
        return open(settings, choice, Optional.empty(), hostName, asker);
    }

    /**
     * As above; with a {@code root}, the kernel fabric runs on the kernel interface found under that folder (a host
     * of {@code hopwire emulate}), whatever the settings say.
     */
    public static Services open(SettingsStore settings, Optional<Fabrics.Choice> choice, Optional<Path> root,
                                String hostName, Asker asker) throws FabricException, GStreamerUnavailableException {
        Path configDir = settings.directory();
        Fabrics.Choice wanted = root.isPresent() ? Fabrics.Choice.KERNEL : choice.orElse(settings.get().fabric());
        // Only AUTO needs to know whether this machine has the driver (a root has its own check in openAt).
        Optional<String> kernelMissing = wanted == Fabrics.Choice.AUTO && root.isEmpty()
                ? Fabrics.kernelUnavailableReason() : Optional.empty();
        Fabric fabric;
        DemoFabric demoFabric = null;
        if (root.isPresent()) {
            fabric = Fabrics.openAt(root.get());
        } else if (wanted == Fabrics.Choice.EMULATED
                || (wanted == Fabrics.Choice.AUTO && kernelMissing.isPresent())) {
            demoFabric = DemoFabric.create(hostName, settings.get().localUuid());
            fabric = demoFabric.local();
        } else {
            fabric = Fabrics.open(Fabrics.Choice.KERNEL, hostName);
        }
        DeviceCatalog devices = new DeviceCatalog(true);
        DemoPeer demo = null;
        try {
            devices.start();
            if (demoFabric != null) {
                demo = new DemoPeer(demoFabric, configDir.resolve("demo-peer"));
            }
            java.util.UUID localUuid = fabric.localHostUuid();
            PeerSession.Identity me = new PeerSession.Identity(localUuid, hostName, VERSION);
            // The hub gives each session the data protection in the settings as it starts; the demo peer keeps the
            // engine's default (encrypted), as another host would.
            Hub hub = new Hub(fabric, devices, new PeerStore(configDir.resolve("peers")), me, asker, settings::get,
                    PeerSession.Config.DEFAULT);
            DemoPeer d = demo;
            if (d != null) {
                hub.onForget(uuid -> d.forget(localUuid));
            }
            settings.onChange(x -> hub.settingsChanged());
            hub.start();
            return new Services(settings, fabric, Optional.ofNullable(demo), devices, hub,
                    root.map(Services::describeRoot).orElseGet(() -> describe(fabric.kind(), wanted,
                            choice.isPresent())));
        } catch (GStreamerUnavailableException | FabricException | RuntimeException e) {
            if (demo != null) {
                demo.close();
            }
            devices.close();
            fabric.close();
            throw e;
        }
    }

    /**
     * One line for people saying which fabric runs and why.
     *
     * @param fromCommandLine true when {@code --fabric=} chose it, false when the settings (or the default) did
     */
    public static String describe(String kind, Fabrics.Choice choice, boolean fromCommandLine) {
        if (kind.equals("kernel")) {
            return Text.tr("status.kernel");
        }
        String why = choice == Fabrics.Choice.EMULATED
                ? Text.tr(fromCommandLine ? "status.emulated.command.line" : "status.emulated.settings")
                : Fabrics.kernelUnavailableReason().orElse(Text.tr("status.emulated.chosen"));
        return Text.tr("status.emulated", why, Fabrics.DEMO_PEER_NAME);
    }

    /** The status line for the kernel fabric under a folder. */
    public static String describeRoot(Path root) {
        return Text.tr("status.root", root.toString());
    }

    public Hub hub() {
        return hub;
    }

    public Optional<DemoPeer> demo() {
        return demo;
    }

    public Fabric fabric() {
        return fabric;
    }

    public DeviceCatalog devices() {
        return devices;
    }

    public SettingsStore settings() {
        return settings;
    }

    /** Which fabric runs and why, for the status line. */
    public String status() {
        return status;
    }

    /** Ends the sessions (saying goodbye), removes their streams, stops the devices and closes the fabric. */
    @Override
    public void close() {
        hub.close();
        demo.ifPresent(DemoPeer::close);
        devices.close();
        fabric.close();
        settings.close();
    }
}
