package org.hopwire.engine.fabric;

/**
 * The failures a person can meet on the fabric, each with a message that says what to do.
 *
 * <p>The emulated fabric and the kernel adapter both build their exceptions here, so a person reads the same words
 * whichever fabric is under the app.
 */
public final class Problems {
    private Problems() {
    }

    public static InvalidArgumentException invalidServiceName(String service) {
        return new InvalidArgumentException("'" + service + "' is not a USB4STREAM service name: it must look like"
                + " <domain>-<route>.<service>, e.g. 0-1.0, as listed under /sys/bus/thunderbolt/devices");
    }

    public static NameTooLongException nameTooLong(String name) {
        return new NameTooLongException("stream name '" + name + "' is " + Usb4Stream.nameBytes(name) + " bytes long;"
                + " USB4STREAM allows at most " + Usb4Stream.MAX_STREAM_NAME_LENGTH + " bytes (UTF-8), because names"
                + " are published as XDomain property keys: choose a shorter name");
    }

    public static InvalidArgumentException invalidStreamName(String name) {
        return new InvalidArgumentException("'" + name + "' is not a valid stream name: use 1 to "
                + Usb4Stream.MAX_STREAM_NAME_LENGTH + " characters without '/'");
    }

    public static InvalidArgumentException outOfRange(StreamAddress address, String attribute, String value,
                                                      long min, long max) {
        return new InvalidArgumentException(attribute + " of " + address + " cannot be '" + value + "': it takes "
                + min + ".." + max);
    }

    public static InvalidArgumentException invalidHopId(StreamAddress address, String attribute, String value,
                                                        int maxHopId) {
        return new InvalidArgumentException(attribute + " of " + address + " cannot be '" + value + "': write -1 for an"
                + " automatic HopID, 0 to release it, or a value from " + Usb4Stream.MIN_HOPID + " to " + maxHopId);
    }

    public static HopIdBusyException hopIdBusy(StreamAddress address, String attribute, int hopId) {
        return new HopIdBusyException("HopID " + hopId + " (" + attribute + " of " + address + ") is taken by another"
                + " stream or by thunderbolt_net, or another program has the stream's device open: write -1 to let"
                + " the driver choose a free one, or close that program");
    }

    public static StreamInUseException streamOpen(StreamAddress address, String attribute) {
        return new StreamInUseException("cannot change " + attribute + " of " + address + " while its device is open:"
                + " close every program using /dev/tbstream* for this stream first");
    }

    public static NoSuchStreamException noSuchStream(StreamAddress address) {
        return new NoSuchStreamException("there is no stream " + address + ": list the streams to see which exist");
    }

    public static NoSuchStreamException noSuchGroup(String service) {
        return new NoSuchStreamException("there is no service group " + service + " in ConfigFS");
    }

    public static StreamExistsException streamExists(StreamAddress address) {
        return new StreamExistsException("stream " + address + " already exists: remove it first or choose another"
                + " name");
    }

    public static FabricException groupNotEmpty(String service) {
        return new FabricException(Errno.ENOTEMPTY, "service group " + service + " still holds streams: remove them"
                + " first");
    }

    public static NoFreeHopIdException noFreeHopId(StreamAddress address, String attribute, int from, int maxHopId) {
        return new NoFreeHopIdException("no free HopID for " + attribute + " of " + address + ": all of " + from
                + ".." + maxHopId + " are taken (by streams or thunderbolt_net). Remove streams you no longer use");
    }

    public static InvalidArgumentException overflow(StreamAddress address, String attribute, String value) {
        return InvalidArgumentException.overflow(attribute + " of " + address + " cannot be '" + value + "': the"
                + " number is too large");
    }

    public static TooManyStreamsException tooManyStreams(StreamAddress address) {
        return new TooManyStreamsException("cannot open " + address + ": the host controller has no free DMA ring or"
                + " tunnel left (too many streams open; Intel controllers have 11). Close streams you do not use;"
                + " Hopwire itself needs two per peer");
    }

    public static FabricException pathsFailed(StreamAddress address) {
        return new FabricException(Errno.EIO, "cannot open " + address + ": the driver could not enable its paths"
                + " through the USB4 fabric. Unplug and plug the cable again; 'sudo dmesg' says more");
    }

    public static PermissionDeniedException readOnly(StreamAddress address, String attribute) {
        return new PermissionDeniedException(attribute + " of " + address + " is read-only");
    }

    public static PeerNotConnectedException peerNotConnected(StreamAddress address) {
        return new PeerNotConnectedException("stream " + address + " is not attached: no host on the cable offers"
                + " service " + address.service() + ". Check the cable and that the peer has loaded thunderbolt_stream");
    }

    public static HopIdUnsetException hopIdUnset(StreamAddress address) {
        return new HopIdUnsetException("stream " + address + " has no HopIDs: write -1 to in_hopid and out_hopid, or"
                + " let the peer announce the stream first and create it again");
    }

    public static LinkDownException linkDown(StreamAddress address, String why) {
        return new LinkDownException("stream " + address + " is down: " + why);
    }

    /** ConfigFS refused a change made directly (not through the privileged helper). */
    public static PermissionDeniedException permissionDenied(String path) {
        return new PermissionDeniedException("no permission for " + path + ": ConfigFS belongs to root. Hopwire"
                + " changes it through its privileged helper, which the Hopwire package installs (polkit action"
                + " org.hopwire.Hopwire.configure-streams); from a source checkout, point " + "HOPWIRE_HELPER_LAUNCHER"
                + " at a way to run the helper as root (see docs/privileged-helper.md), or run Hopwire as root");
    }

    /** A {@code /dev/tbstreamN} node refused this user. */
    public static PermissionDeniedException deviceDenied(String device) {
        return new PermissionDeniedException("no permission to open " + device + ": Hopwire's udev rule (installed by"
                + " the Hopwire package) gives these devices to the person logged in at the machine's own seat and"
                + " to the 'hopwire' group. Log in at the machine itself rather than over SSH, or add yourself to the"
                + " group (sudo usermod -aG hopwire $USER, then log in again); from a source checkout, copy"
                + " packaging/udev/70-hopwire-tbstream.rules to /etc/udev/rules.d/ and run 'sudo udevadm trigger'");
    }

    public static DriverNotLoadedException driverNotLoaded(String configFsRoot) {
        return new DriverNotLoadedException(configFsRoot + " does not exist: load the driver with"
                + " 'sudo modprobe thunderbolt_stream' (Linux 7.2 or later) and make sure ConfigFS is mounted"
                + " ('mount -t configfs none /sys/kernel/config')");
    }
}
