package org.hopwire.engine.testbed;

import java.util.List;

import org.hopwire.engine.fabric.Fabric;

/** Two hosts on one cable, as the conformance suite needs them, whatever fabric stands behind. */
public interface FabricTestbed extends AutoCloseable {
    /** Host A's fabric. */
    Fabric a();

    /** Host B's fabric, or null where the other host is not in this process (real hardware). */
    Fabric b();

    /** The USB4STREAM service through which A reaches B, e.g. {@code 0-1.0}. */
    String serviceOnA();

    /** The USB4STREAM service through which B reaches A. */
    String serviceOnB();

    /** The device name A reads for B. */
    String nameOfB();

    /** Whether the test can pull and replug the cable. */
    boolean controlsCable();

    void unplug();

    void plug();

    /** The ConfigFS service groups that exist on A now, whoever made them. */
    List<String> groupsOnA() throws Exception;

    /** {@code rmdir} of a stream directory on A and nothing else, as the kernel documentation's tear-down does. */
    void rmdirOnA(org.hopwire.engine.fabric.StreamAddress address) throws Exception;

    /** {@code rmdir} of a stream directory on B and nothing else. */
    void rmdirOnB(org.hopwire.engine.fabric.StreamAddress address) throws Exception;

    /** Long enough for an announcement (or its withdrawal) to have certainly reached the peer. */
    java.time.Duration announcementTime();

    @Override
    void close();
}
