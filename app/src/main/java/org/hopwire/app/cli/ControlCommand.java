package org.hopwire.app.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.hopwire.app.core.Hub;
import org.hopwire.app.core.Snapshot;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlMessage.ControlState;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionException;
import org.hopwire.engine.session.SessionHandler;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hopwire control}: a device's settings, borrowed (set on its owner) or this host's own (its borrowers see). */
@Command(name = "control", mixinStandardHelpOptions = true, description = {"Adjusts a device's settings (brightness,"
    + " focus, zoom): a borrowed one as PEER:DEVICE, changed on its owner's device if the owner allows it, or one of"
    + " this host's own as DEVICE, which its borrowers then see. Without NAME=VALUE, lists the settings. Runs in the"
    + " Hopwire that holds the borrow (the window or 'hopwire serve')."})
final class ControlCommand extends Base {
    @Parameters(index = "0", paramLabel = "[PEER:]DEVICE", description = "a borrowed device ('Demo laptop:Test"
            + " camera') or one of this host's ('test:camera')")
    String target;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "NAME=VALUE", description = "settings to change, as"
            + " the list shows them: brightness=20 zoom_absolute=300")
    List<String> settings = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Hub hub = hub();
        Optional<Snapshot.Device> own = ctx().localDevices().stream()
                .filter(d -> d.id().equals(target) || d.name().equalsIgnoreCase(target)).findFirst();
        return own.isPresent() ? ownDevice(hub, own.get()) : borrowed(hub);
    }

    private int ownDevice(Hub hub, Snapshot.Device d) {
        List<ControlMessage.Control> controls = hub.ownControls(d.id());
        if (settings.isEmpty()) {
            list(d.name() + " on this host", controls);
            return ExitCode.OK;
        }
        for (String s : settings) {
            String[] kv = setting(s, controls, d.name());
            try {
                long v = hub.setOwnControl(d.id(), kv[0], Long.parseLong(kv[1]));
                out().println(kv[0] + " = " + v + " on " + d.name());
            } catch (SessionHandler.ControlFailed e) {
                throw new CliException(ExitCode.FAILED, e.getMessage());
            }
        }
        return ExitCode.OK;
    }

    private int borrowed(Hub hub) throws Exception {
        int colon = target.indexOf(':');
        if (colon <= 0 || colon == target.length() - 1) {
            throw new CliException(ExitCode.USAGE, "'" + target + "' is neither one of this host's devices nor"
                    + " PEER:DEVICE ('hopwire devices' lists this host's, 'hopwire peers' the borrowed ones)");
        }
        String peerName = target.substring(0, colon);
        String deviceName = target.substring(colon + 1);
        Names.PeerRef ref = peerOnCable(peerName);
        List<Snapshot.Borrowed> from = hub.snapshot().borrows().stream().filter(b -> b.peer().equals(ref.uuid())
                && !b.waiting()).toList();
        Names.DeviceRef dref = Names.device(deviceName, from.stream().map(b -> new Names.DeviceRef(b.deviceId(),
                b.deviceName())).toList(), "borrowed from " + ref.name());
        Snapshot.Borrowed b = from.stream().filter(x -> x.deviceId().equals(dref.id())).findFirst().orElseThrow();
        PeerSession session = hub.session(ref.uuid()).orElseThrow(() -> new CliException(ExitCode.NOT_FOUND,
                ref.name() + " is not connected now"));
        List<ControlMessage.Control> controls = session.borrowedControls(b.channel());
        if (settings.isEmpty()) {
            list(b.deviceName() + " from " + b.peerName(), controls);
            ControlMessage.ControlAccess access = session.borrowedControlAccess(b.channel());
            if (access != null && access.access() != ControlMessage.ControlAccess.ALLOWED) {
                out().println("(" + access.reason() + ")");
            }
            return ExitCode.OK;
        }
        int exit = ExitCode.OK;
        for (String s : settings) {
            String[] kv = setting(s, controls, b.deviceName());
            ControlState st;
            try {
                st = session.setControl(b.channel(), kv[0], Long.parseLong(kv[1])).get(10, TimeUnit.SECONDS);
            } catch (SessionException e) {
                throw new CliException(ExitCode.FAILED, e.getMessage());
            } catch (java.util.concurrent.ExecutionException e) {
                throw new CliException(ExitCode.FAILED, e.getCause().getMessage());
            }
            if (st.status() == ControlState.REFUSED) {
                ControlMessage.ControlAccess access = session.borrowedControlAccess(b.channel());
                err().println("hopwire: " + b.peerName() + " refused " + kv[0] + " (it stays " + st.value() + ")"
                        + (access == null || access.reason().isEmpty() ? "" : ": " + access.reason()));
                exit = ExitCode.REFUSED;
            } else {
                out().println(kv[0] + " = " + st.value() + " on " + b.deviceName() + " (confirmed by "
                        + b.peerName() + ")");
            }
        }
        return exit;
    }

    /** {@code NAME=VALUE} checked against the device's controls: the name and a whole number. */
    private static String[] setting(String s, List<ControlMessage.Control> controls, String device) {
        int eq = s.indexOf('=');
        String name = eq < 0 ? s : s.substring(0, eq).trim();
        String value = eq < 0 ? "" : s.substring(eq + 1).trim();
        if (controls.stream().noneMatch(c -> c.name().equals(name))) {
            throw new CliException(ExitCode.USAGE, device + " has no setting '" + name + "'; it has "
                    + (controls.isEmpty() ? "none" : String.join(", ", controls.stream().map(
                            ControlMessage.Control::name).toList())));
        }
        if (!value.matches("-?\\d{1,18}")) {
            throw new CliException(ExitCode.USAGE, "'" + s + "' is not NAME=VALUE with a whole number, as in "
                    + name + "=10");
        }
        return new String[] {name, value};
    }

    private void list(String what, List<ControlMessage.Control> controls) {
        if (controls.isEmpty()) {
            out().println(what + " has no settings to adjust.");
            return;
        }
        out().println(what + ":");
        for (ControlMessage.Control c : controls) {
            out().printf("  %-28s %s  now %d (default %d)%n", c.name(), c.kind() == ControlMessage.Control.BOOLEAN
                    ? "on/off  " : c.min() + ".." + c.max() + (c.step() > 1 ? " step " + c.step() : ""), c.value(),
                    c.defaultValue());
        }
    }
}
