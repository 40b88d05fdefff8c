package org.hopwire.app.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service's config file ({@code serve.conf}): which peers may borrow which devices while nobody is there to be
 * asked, and whether to ask the person at the desktop first. A person writes it by hand, so it is read strictly:
 * every mistake is reported with its line number and what to write instead, and nothing half-understood is used.
 *
 * <pre>
 * # comments start with '#', on their own line or after a value
 * ask-desktop = yes            # ask through a desktop notification when a session is running
 * question-timeout = 60s       # then the rules below decide
 *
 * [peer 6f1c9d2e-4b7a-4c3e-9f10-2a5b8c7d0e11]   # Demo laptop (a name is only a comment)
 * allow = test:camera
 * allow = video:/dev/video0, audio:alsa_input.usb-046d_C920-02.analog-stereo
 * controls = video:/dev/video0  # it may also adjust this camera (brightness, focus, zoom) while borrowing it
 * </pre>
 *
 * Peers are named by host UUID only: the name a peer gives itself is chosen by that peer and must never grant it
 * anything. Devices are named by the ids {@code hopwire devices} shows.
 *
 * @param askDesktop      ask the person through a desktop notification when a desktop session is running
 * @param questionTimeout how long such a notification waits before the allow list decides
 * @param allowed         per peer, the devices it may borrow unattended, each with the line that allowed it
 * @param source          the file read, or a description of the defaults, for log lines
 */
public record ServeConfig(boolean askDesktop, Duration questionTimeout, Map<UUID, Map<String, Integer>> allowed,
                          String source, Map<UUID, Map<String, Integer>> controls) {
    /** A config that lets no peer adjust a device unattended. */
    public ServeConfig(boolean askDesktop, Duration questionTimeout, Map<UUID, Map<String, Integer>> allowed,
                       String source) {
        this(askDesktop, questionTimeout, allowed, source, Map.of());
    }

    /** How long a question waits by default: long enough to walk to the machine, short enough for the peer. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Shorter than this, nobody can read and answer a notification. */
    static final Duration MIN_TIMEOUT = Duration.ofSeconds(5);
    /** Longer than this, the asking peer's person has given up long before. */
    static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    /** The test sources every Hopwire host has. */
    static final List<String> TEST_DEVICES = List.of("test:camera", "test:microphone");

    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern SECTION = Pattern.compile("\\[\\s*(\\S+)(?:\\s+(.*?))?\\s*]");
    private static final Pattern KEY_VALUE = Pattern.compile("([A-Za-z0-9_.-]+)\\s*=\\s*(.*)");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})\\s*(s|sec|min|m|h)?");
    private static final Pattern DEVICE = Pattern.compile("(video|audio|test):\\S+");
    private static final String DEVICE_HINT = "name a device by the id 'hopwire devices' shows, such as"
            + " video:/dev/video0 (a camera), audio:alsa_input.usb-046d_C920-02.analog-stereo (a microphone) or"
            + " test:camera";
    private static final String PEER_HINT = "name a peer by the host UUID 'hopwire peers' shows, as in"
            + " [peer 6f1c9d2e-4b7a-4c3e-9f10-2a5b8c7d0e11]  # Demo laptop (a name may follow as a comment, it"
            + " grants nothing)";

    public ServeConfig {
        Map<UUID, Map<String, Integer>> copy = new LinkedHashMap<>();
        allowed.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        allowed = Collections.unmodifiableMap(copy);
        Map<UUID, Map<String, Integer>> controlsCopy = new LinkedHashMap<>();
        controls.forEach((k, v) -> controlsCopy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        controls = Collections.unmodifiableMap(controlsCopy);
    }

    /**
     * The line of the file that lets {@code peer} adjust {@code deviceId} (brightness, focus, zoom) while it borrows
     * it, when nobody is there to ask; without one a borrow allowed unattended is lent without its controls.
     */
    public Optional<Integer> allowsControls(UUID peer, String deviceId) {
        return Optional.ofNullable(controls.getOrDefault(peer, Map.of()).get(deviceId));
    }

    /** The safe defaults, used when the default file does not exist: nothing is allowed unattended. */
    public static ServeConfig defaults(String source) {
        return new ServeConfig(true, DEFAULT_TIMEOUT, Map.of(), source);
    }

    /** The line of the file that lets {@code peer} borrow {@code deviceId} unattended, if one does. */
    public Optional<Integer> allows(UUID peer, String deviceId) {
        return Optional.ofNullable(allowed.getOrDefault(peer, Map.of()).get(deviceId));
    }

    /** A config file with mistakes: each problem names its line and what to write instead. */
    public static final class Invalid extends Exception {
        private final List<String> problems;

        Invalid(String source, List<String> problems) {
            super(source + ": " + String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        /** One sentence per mistake, each starting with "line N:" where a line is at fault. */
        public List<String> problems() {
            return problems;
        }
    }

    /**
     * Reads a config file. A missing file is an error when the person named it ({@code --config}), and the safe
     * defaults when it is the default place.
     */
    public static ServeConfig load(Path file, boolean named) throws Invalid {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            if (named) {
                throw new Invalid(file.toString(), List.of("no such file: create it (the commented example is"
                        + " /usr/share/doc/hopwire/examples/serve.conf) or leave out --config to use " + file
                        .getFileName() + " in the default place"));
            }
            return defaults("no " + file + " (the safe defaults)");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new Invalid(file.toString(), List.of("cannot read it: " + e.getMessage()));
        }
        return parse(lines, file.toString());
    }

    /** Parses the file's lines; {@code source} names it in messages. */
    public static ServeConfig parse(List<String> lines, String source) throws Invalid {
        List<String> problems = new ArrayList<>();
        Boolean askDesktop = null;
        Duration timeout = null;
        int askLine = 0;
        int timeoutLine = 0;
        Map<UUID, Map<String, Integer>> allowed = new LinkedHashMap<>();
        Map<UUID, Integer> sectionLines = new LinkedHashMap<>();
        Map<UUID, Map<String, Integer>> controls = new LinkedHashMap<>();
        UUID section = null;
        boolean inBadSection = false;
        for (int i = 0; i < lines.size(); i++) {
            int n = i + 1;
            String line = stripComment(lines.get(i)).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[")) {
                Matcher m = SECTION.matcher(line);
                if (!m.matches()) {
                    problems.add("line " + n + ": '" + line + "' is not a section header; write [peer HOST-UUID]");
                    inBadSection = true;
                    continue;
                }
                if (!m.group(1).equals("peer")) {
                    problems.add("line " + n + ": unknown section '[" + m.group(1) + "...]'; the only section is"
                            + " [peer HOST-UUID]");
                    inBadSection = true;
                    continue;
                }
                String id = m.group(2) == null ? "" : m.group(2).strip();
                if (!UUID_TEXT.matcher(id).matches()) {
                    problems.add("line " + n + ": '" + id + "' is not a host UUID; " + PEER_HINT);
                    inBadSection = true;
                    continue;
                }
                UUID peer = UUID.fromString(id.toLowerCase(Locale.ROOT));
                Integer earlier = sectionLines.putIfAbsent(peer, n);
                if (earlier != null) {
                    problems.add("line " + n + ": peer " + peer + " already has a section at line " + earlier
                            + "; put all its allow lines there");
                }
                section = peer;
                inBadSection = false;
                allowed.computeIfAbsent(peer, p -> new LinkedHashMap<>());
                continue;
            }
            Matcher kv = KEY_VALUE.matcher(line);
            if (!kv.matches()) {
                problems.add("line " + n + ": '" + line + "' is neither 'key = value' nor a [peer HOST-UUID]"
                        + " header");
                continue;
            }
            String key = kv.group(1).toLowerCase(Locale.ROOT);
            String value = kv.group(2).strip();
            if (inBadSection) {
                continue; // the header's own error says what is wrong; its lines are not checked twice
            }
            if (section == null) {
                switch (key) {
                    case "ask-desktop" -> {
                        if (askDesktop != null) {
                            problems.add("line " + n + ": ask-desktop is set already at line " + askLine
                                    + "; keep one");
                        }
                        askLine = n;
                        askDesktop = parseYesNo(value, n, problems);
                    }
                    case "question-timeout" -> {
                        if (timeout != null) {
                            problems.add("line " + n + ": question-timeout is set already at line " + timeoutLine
                                    + "; keep one");
                        }
                        timeoutLine = n;
                        timeout = parseTimeout(value, n, problems);
                    }
                    case "allow" -> problems.add("line " + n + ": 'allow' must follow the [peer HOST-UUID] it is"
                            + " for; " + PEER_HINT);
                    default -> problems.add("line " + n + ": unknown key '" + kv.group(1) + "'; before the first"
                            + " [peer ...] the keys are ask-desktop and question-timeout");
                }
                continue;
            }
            if (!key.equals("allow") && !key.equals("controls")) {
                boolean global = key.equals("ask-desktop") || key.equals("question-timeout");
                problems.add("line " + n + ": " + (global ? "'" + key + "' belongs before the first [peer ...]"
                        + " section" : "unknown key '" + kv.group(1) + "'; in a [peer ...] section the keys are"
                        + " allow = DEVICE-ID[, DEVICE-ID...] and controls = DEVICE-ID[, DEVICE-ID...]"));
                continue;
            }
            if (value.isEmpty()) {
                problems.add("line " + n + ": " + key + " needs a device id; " + DEVICE_HINT);
                continue;
            }
            Map<String, Integer> into = key.equals("controls")
                    ? controls.computeIfAbsent(section, p -> new LinkedHashMap<>()) : allowed.get(section);
            for (String device : value.split(",", -1)) {
                String d = device.strip();
                Optional<String> bad = checkDevice(d);
                if (bad.isPresent()) {
                    problems.add("line " + n + ": " + bad.get());
                    continue;
                }
                Integer earlier = into.putIfAbsent(d, n);
                if (earlier != null) {
                    problems.add("line " + n + ": " + d + " is " + (key.equals("controls") ? "adjustable"
                            : "allowed") + " already at line " + earlier + " for this peer; keep one");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new Invalid(source, problems);
        }
        return new ServeConfig(askDesktop == null || askDesktop, timeout == null ? DEFAULT_TIMEOUT : timeout,
                allowed, source, controls);
    }

    /** A '#' at the start or after white space starts a comment (device ids and UUIDs never hold " #"). */
    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    static Optional<String> checkDevice(String d) {
        if (d.isEmpty()) {
            return Optional.of("an empty device id (two commas, or one at the end); " + DEVICE_HINT);
        }
        if (!DEVICE.matcher(d).matches()) {
            return Optional.of("'" + d + "' is not a device id; " + DEVICE_HINT);
        }
        if (d.startsWith("test:") && !TEST_DEVICES.contains(d)) {
            return Optional.of("'" + d + "' is not one of the test devices; write " + String.join(" or ",
                    TEST_DEVICES));
        }
        return Optional.empty();
    }

    private static Boolean parseYesNo(String value, int n, List<String> problems) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "yes", "true", "on" -> {
                return true;
            }
            case "no", "false", "off" -> {
                return false;
            }
            default -> {
                problems.add("line " + n + ": ask-desktop is '" + value + "'; write yes or no");
                return true;
            }
        }
    }

    private static Duration parseTimeout(String value, int n, List<String> problems) {
        Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            problems.add("line " + n + ": question-timeout is '" + value + "'; write a time such as 60s, 2min or"
                    + " 1h");
            return DEFAULT_TIMEOUT;
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "min", "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
        if (d.compareTo(MIN_TIMEOUT) < 0 || d.compareTo(MAX_TIMEOUT) > 0) {
            problems.add("line " + n + ": question-timeout " + value + " is out of range; write 5s to 1h");
        }
        return d;
    }

    /** How many peers may borrow something unattended, for the start-up log line. */
    String summary() {
        long devices = allowed.values().stream().mapToLong(Map::size).sum();
        return source + ": " + (devices == 0 ? "nothing is allowed unattended"
                : devices + (devices == 1 ? " device" : " devices") + " allowed to " + allowed.values().stream()
                .filter(m -> !m.isEmpty()).count() + " peer(s) unattended")
                + (askDesktop ? "; questions go to the desktop first (" + questionTimeout.toSeconds() + " s)"
                : "; the desktop is not asked");
    }
}
