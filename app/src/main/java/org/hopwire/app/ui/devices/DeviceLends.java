package org.hopwire.app.ui.devices;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.hopwire.app.core.Snapshot;
import org.hopwire.app.text.Text;

/**
 * The lends of one device of this host, to every peer that borrows it now (a device is lent to several peers at
 * once): the This host pane shows one row per device naming every borrower.
 */
record DeviceLends(String deviceId, String deviceName, List<Snapshot.Lend> lends) {
    /** The lends grouped by device, devices and borrowers in the order the snapshot lists them. */
    static List<DeviceLends> of(List<Snapshot.Lend> lends) {
        Map<String, List<Snapshot.Lend>> byDevice = new LinkedHashMap<>();
        for (Snapshot.Lend l : lends) {
            byDevice.computeIfAbsent(l.deviceId(), k -> new ArrayList<>()).add(l);
        }
        return byDevice.values().stream().map(ls -> new DeviceLends(ls.get(0).deviceId(), ls.get(0).deviceName(),
                List.copyOf(ls))).toList();
    }

    /** "Demo laptop", "Demo laptop and Office PC", "Demo laptop, Office PC and Studio". */
    String borrowers() {
        List<String> names = lends.stream().map(Snapshot.Lend::peerName).toList();
        if (names.size() == 1) {
            return names.get(0);
        }
        return Text.tr("host.lend.names", String.join(Text.tr("host.lend.names.separator"),
                names.subList(0, names.size() - 1)), names.get(names.size() - 1));
    }

    /** "Test camera: in use by Demo laptop and Office PC". */
    String text() {
        return Text.tr("host.lend.row", deviceName, borrowers());
    }

    /** How it is sent to each borrower, a line each (one borrower: just the format). */
    String tip() {
        if (lends.size() == 1) {
            return Text.tr("host.lend.tip", lends.get(0).format());
        }
        return String.join("\n", lends.stream().map(l -> Text.tr("host.lend.tip.peer", l.peerName(), l.format()))
                .toList());
    }
}
