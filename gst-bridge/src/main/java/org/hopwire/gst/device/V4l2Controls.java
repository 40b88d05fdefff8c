package org.hopwire.gst.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlMessage.Control;

/**
 * A V4L2 camera's controls (exposure, focus, zoom, pan and tilt where it has them, and its own brightness and the
 * like), read from {@code v4l2-ctl --list-ctrls} and set through {@code v4l2src}'s {@code extra-controls}, which the
 * element applies at once while the device is open. Read-only, write-only and button controls are left out: they
 * have no value a slider could show.
 */
public final class V4l2Controls {
    /** One control line: {@code name 0x00980900 (int) : min=-64 max=64 step=1 default=0 value=0 flags=inactive}. */
    private static final Pattern LINE = Pattern.compile(
            "^\\s*([a-z0-9_]+)\\s+0x[0-9a-f]{8}\\s+\\(([a-z0-9]+)\\)\\s*:\\s*(.*)$");
    private static final Pattern PAIR = Pattern.compile("([a-z]+)=(-?\\d+)");
    /** The listing is short; a tool that hangs must not hold the catalog up. */
    private static final long LIST_TIMEOUT_MS = 2000;

    private V4l2Controls() {
    }

    /** The controls in {@code v4l2-ctl --list-ctrls} output, at most {@link ControlMessage#MAX_CONTROLS}. */
    public static List<Control> parse(String listCtrls) {
        List<Control> out = new ArrayList<>();
        for (String line : listCtrls.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || out.size() >= ControlMessage.MAX_CONTROLS) {
                continue;
            }
            String name = m.group(1);
            String type = m.group(2);
            String rest = m.group(3);
            if (name.length() > ControlMessage.MAX_CONTROL_NAME || rest.matches(".*flags=\\S*(read-only|write-only"
                    + "|disabled).*")) {
                continue;
            }
            Map<String, Long> f = new HashMap<>();
            Matcher p = PAIR.matcher(rest);
            while (p.find()) {
                f.putIfAbsent(p.group(1), Long.parseLong(p.group(2)));
            }
            int kind = switch (type) {
                case "int", "int64" -> Control.INTEGER;
                case "bool" -> Control.BOOLEAN;
                case "menu", "intmenu" -> Control.MENU;
                default -> 0; // button, string, bitmask, compound: nothing a slider or switch sets
            };
            if (kind == 0 || !f.containsKey("value")) {
                continue;
            }
            long min = kind == Control.BOOLEAN ? 0 : f.getOrDefault("min", 0L);
            long max = kind == Control.BOOLEAN ? 1 : f.getOrDefault("max", 0L);
            long step = Math.max(1, f.getOrDefault("step", 1L));
            if (min > max) {
                continue;
            }
            Control c = new Control(name, kind, min, max, step, 0, 0);
            out.add(new Control(name, kind, min, max, step, c.clamp(f.getOrDefault("default", min)),
                    c.clamp(f.get("value"))));
        }
        return out;
    }

    /** Lists a device's controls with {@code v4l2-ctl}; empty when the tool is missing or the device says nothing. */
    public static List<Control> list(String devicePath) {
        if (!devicePath.startsWith("/dev/video")) {
            return List.of();
        }
        try {
            Process p = new ProcessBuilder("v4l2-ctl", "-d", devicePath, "--list-ctrls").redirectErrorStream(true)
                    .start();
            byte[] out = p.getInputStream().readNBytes(256 * 1024);
            if (!p.waitFor(LIST_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            return p.exitValue() == 0 ? parse(new String(out, StandardCharsets.UTF_8)) : List.of();
        } catch (IOException e) {
            return List.of(); // no v4l2-ctl (package v4l-utils): the camera is lent without controls
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** The {@code extra-controls} structure that sets one control: {@code controls,zoom_absolute=(int)300}. */
    public static String extraControls(String name, long value) {
        return "controls," + name + "=(int)" + value;
    }
}
