package org.hopwire.app.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code hopwire emulate}'s options, checked.
 *
 * @param deviceGroup a group whose members may open the device nodes, as Hopwire's udev rule makes it
 * @param user        a user who may change ConfigFS, open the devices and pull the cables without root
 */
public record EmulateSpec(Path mount, List<String> hosts, String preset, Optional<String> deviceGroup,
                          Optional<String> user) {
    /** Checks the options as typed; {@code mount} null when not given. */
    public static EmulateSpec of(Path mount, String hosts, String preset, Optional<String> group,
                                 Optional<String> user) {
        if (mount == null) {
            throw new IllegalArgumentException("emulate needs --mount DIR: the folder to serve the hosts in");
        }
        String p = preset.toLowerCase(java.util.Locale.ROOT);
        if (!p.equals("40g") && !p.equals("unthrottled")) {
            throw new IllegalArgumentException("unknown preset '" + p + "': use 40g or unthrottled");
        }
        return new EmulateSpec(mount.toAbsolutePath().normalize(), List.of(hosts.split(",")), p, group, user);
    }
}
