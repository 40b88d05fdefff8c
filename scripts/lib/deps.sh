# Shared by ./hopwire and ./run-tests: makes sure the Debian/Ubuntu packages Hopwire needs are installed.
# As root it installs what is missing; otherwise it prints the exact command and stops.

HW_JDK_CANDIDATES="openjdk-17-jdk-headless openjdk-21-jdk-headless openjdk-25-jdk-headless"

hw_have_jdk17() {
    command -v javac >/dev/null 2>&1 || return 1
    local v
    v=$(javac -version 2>&1 | sed -n 's/^javac \([0-9][0-9]*\).*/\1/p')
    [ -n "$v" ] && [ "$v" -ge 17 ]
}

hw_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# The first of several package names that this distribution offers (e.g. libgtk-3-0 or its t64 rename).
hw_available() {
    local p
    for p in "$@"; do
        if hw_installed "$p"; then echo "$p"; return 0; fi
    done
    for p in "$@"; do
        if apt-cache show "$p" >/dev/null 2>&1; then echo "$p"; return 0; fi
    done
    echo "$1"
}

hw_apt_updated=
hw_apt_update() {
    if [ -z "$hw_apt_updated" ]; then
        apt-get update -qq >&2
        hw_apt_updated=1
    fi
}

# hw_ensure PACKAGE|ALT1/ALT2 ... : install what is missing (root) or say exactly what to run.
hw_ensure() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "Hopwire: this is not a Debian/Ubuntu system; make sure these are installed: $*" >&2
        return 0
    fi
    local want missing="" spec alts p found
    for spec in "$@"; do
        found=
        for p in ${spec//\// }; do
            if hw_installed "$p"; then found=1; break; fi
        done
        [ -n "$found" ] || missing="$missing $spec"
    done
    if ! hw_have_jdk17; then
        missing="$missing $(echo "$HW_JDK_CANDIDATES" | tr ' ' /)"
    fi
    [ -n "$missing" ] || return 0
    if [ "$(id -u)" -ne 0 ]; then
        want=""
        for spec in $missing; do want="$want ${spec%%/*}"; done
        echo "Hopwire needs packages that are not installed:$want" >&2
        echo "Install them with:" >&2
        echo "    sudo apt-get install --no-install-recommends$want" >&2
        echo "(or run this command as root, and it installs them itself)" >&2
        exit 1
    fi
    hw_apt_update
    want=""
    for spec in $missing; do
        want="$want $(hw_available ${spec//\// })"
    done
    echo "Hopwire: installing$want" >&2
    local log
    log=$(mktemp)
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $want >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "Hopwire: installing$want failed (see above)" >&2
        exit 1
    fi
    rm -f "$log"
}

# ErrnoLocaleTest runs a JVM under de_DE.UTF-8 to show that errno travels as a number where Java's own messages
# are German. As root this generates the locale (with glibc's German messages) when it is missing; otherwise it
# does nothing and the test skips, saying how. A failure here only costs that test, so it never stops the caller.
hw_ensure_test_locale() {
    [ "$(id -u)" -eq 0 ] || return 0
    # locales has localedef and the de_DE source; libc-l10n the German strerror texts the test looks for.
    # A subshell, because hw_ensure exits when it cannot install.
    if ! ( hw_ensure locales libc-l10n ); then
        echo "Hopwire: could not install locales and libc-l10n; ErrnoLocaleTest will skip" >&2
    fi
    if locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\?8'; then
        return 0
    fi
    echo "Hopwire: generating the de_DE.UTF-8 locale for the tests" >&2
    if ! localedef -i de_DE -f UTF-8 de_DE.UTF-8; then
        echo "Hopwire: localedef failed; ErrnoLocaleTest will skip" >&2
    fi
}

# GStreamer 1.22 with the elements Hopwire and its tests use (videotestsrc, appsrc/appsink, jpeg, v4l2).
HW_GSTREAMER="gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-x"
# H.264 (x264enc, avdec_h264, h264parse) and jpegparse: the tests cover these paths, the app uses them on slow links.
HW_GSTREAMER_CODECS="gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-plugins-bad"
# The build.
HW_BUILD="maven"
# JavaFX's own rendering (fonts) in a window or headless under Monocle.
HW_JAVAFX_COMMON="fontconfig libfreetype6"
# JavaFX on a desktop: GTK 3 (renamed libgtk-3-0t64 on newer releases) and X libraries.
HW_JAVAFX_DESKTOP="libgtk-3-0/libgtk-3-0t64 libxtst6 libgl1"

# ---- desktop notifications tests ----
# DesktopNotificationsTest and PolicyAskerTest start a private session bus (dbus-daemon --session) and play the
# desktop's notification server on it; without dbus-daemon they skip.
HW_DBUS_TESTS="dbus"

# ---- PipeWire tests ----
# HeadlessPipeWire (gst-bridge tests) starts a private PipeWire with WirePlumber (on its own session bus: dbus) and
# pipewire-pulse; the virtual microphone is made with pactl (pulseaudio-utils) and played with pulsesink (in
# gstreamer1.0-plugins-good on Debian 12); pw-cli (pipewire-bin) lists nodes; gstreamer1.0-pipewire has pipewiresink/pipewiresrc
# for the PipeWire camera. Without them those tests skip, saying what is missing.
HW_PIPEWIRE_TESTS="pipewire pipewire-bin wireplumber pipewire-pulse pulseaudio-utils gstreamer1.0-pipewire dbus"

# ---- packaging (packaging/build-packages, packaging/ci-check-package) ----
# Building the installers: objdump (binutils) for the bundled libraries' needs, rsvg-convert for the hicolor icons,
# unzip for JavaFX's natives. jpackage and jlink come with the JDK; dpkg-deb with dpkg.
HW_PACKAGING_BUILD="binutils librsvg2-bin unzip"
# Checking the package: the validators, and a real X display for the installed app (xvfb-run, xauth), xprop and
# xwininfo (x11-utils), xdotool to find and close the window, import (imagemagick) for the screenshot.
HW_PACKAGING_CHECK="desktop-file-utils appstream xvfb xauth x11-utils xdotool imagemagick"
