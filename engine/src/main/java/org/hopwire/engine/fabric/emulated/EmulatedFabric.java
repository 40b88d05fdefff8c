package org.hopwire.engine.fabric.emulated;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.hopwire.engine.fabric.AbstractFabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamAddress;
import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.fabric.StreamInfo;

/** The fabric as one emulated host sees it; behaves as {@code KernelFabric} does on a real USB4STREAM driver. */
public final class EmulatedFabric extends AbstractFabric {
    private final EmulatedHost host;
    private final Runnable onHostChange = this::refresh;
    private final java.util.function.Consumer<org.hopwire.engine.fabric.FabricEvent> onSignal = this::emit;
    private final AutoCloseable owned;

    public EmulatedFabric(EmulatedHost host) {
        this(host, null);
    }

    /** A fabric that also closes {@code owned} (say, the whole emulated world) when it closes. */
    public EmulatedFabric(EmulatedHost host, AutoCloseable owned) {
        super("hopwire-fabric-" + host.name());
        this.host = host;
        this.owned = owned;
        refresh();
        host.addChangeListener(onHostChange);
        host.addSignalListener(onSignal);
    }

    /** The emulated host under this fabric. */
    public EmulatedHost host() {
        return host;
    }

    @Override
    public String kind() {
        return "emulated";
    }

    @Override
    public UUID localHostUuid() {
        return host.uuid();
    }

    @Override
    public UUID localHostUuid(PeerHost peer) {
        return host.uuid(peer.domain());
    }

    @Override
    public List<PeerHost> peers() {
        return host.xdomains();
    }

    @Override
    public List<StreamInfo> streams() {
        return host.streamInfos();
    }

    @Override
    protected boolean groupExists(String service) {
        return host.hasGroup(service);
    }

    @Override
    protected void mkdirGroup(String service) throws FabricException {
        host.mkdirGroup(service);
    }

    @Override
    protected void rmdirGroup(String service) throws FabricException {
        host.rmdirGroup(service);
    }

    @Override
    protected void mkdirStream(StreamAddress address) throws FabricException {
        host.mkdirStream(address.service(), address.name());
    }

    @Override
    protected void rmdirStream(StreamAddress address) throws FabricException {
        host.rmdirStream(address.service(), address.name());
    }

    @Override
    protected void writeAttribute(StreamAddress address, String attribute, String value) throws FabricException {
        host.writeAttribute(address.service(), address.name(), attribute, value);
    }

    @Override
    public StreamChannel open(StreamAddress address, Duration timeout) throws FabricException, InterruptedException {
        ensureOpen();
        return track(host.open(address.service(), address.name(), timeout, this::untrack));
    }

    @Override
    protected void onClose() {
        host.removeChangeListener(onHostChange);
        host.removeSignalListener(onSignal);
        if (owned != null) {
            quietly(owned::close, "close " + owned);
        }
    }
}
