package org.hopwire.engine.pairing;

import java.util.List;
import java.util.NoSuchElementException;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamInfo;

/**
 * Streams agreed with one peer, with crossed HopIDs on both hosts; closing removes them from ConfigFS.
 *
 * @param fabric   the fabric they live on
 * @param peer     the peer they lead to
 * @param leader   whether this host allocated the HopIDs
 * @param streams  the streams in the order their names were given
 */
public record PairedStreams(Fabric fabric, PeerHost peer, boolean leader, List<StreamInfo> streams)
        implements AutoCloseable {
    public PairedStreams {
        streams = List.copyOf(streams);
    }

    /** The stream of the given name. */
    public StreamInfo stream(String name) {
        return streams.stream().filter(s -> s.address().name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no paired stream named " + name));
    }

    /** Removes the streams; one that is already gone is skipped. */
    @Override
    public void close() {
        for (StreamInfo s : streams) {
            try {
                if (fabric.stream(s.address()).isPresent()) {
                    fabric.removeStream(s.address());
                }
            } catch (FabricException e) {
                System.getLogger(PairedStreams.class.getName()).log(System.Logger.Level.WARNING,
                        "could not remove " + s.address() + ": " + e.getMessage());
            }
        }
    }
}
