package org.hopwire.app.core;

/** A peer as its card shows it. */
public enum PeerState {
    /** On the cable; the session is setting up its streams or checking the pairing. */
    CONNECTING("connecting"),
    /** Both hosts show a code; each person confirms or rejects it. */
    PAIRING("pairing"),
    /** Paired and proven: its devices can be borrowed and ours lent to it. */
    PAIRED("paired"),
    /** Not on the cable (unplugged, asleep): Hopwire reconnects when it is back. */
    OFFLINE("offline"),
    /** The session ended for a reason a retry cannot mend (pairing rejected, failed proof, old version). */
    NOT_PAIRED("not paired");

    private final String label;

    PeerState(String label) {
        this.label = label;
    }

    /** The state's stable name, for the command line's output and JSON (not translated). */
    public String label() {
        return label;
    }

    /** The word the card shows, in the person's language. */
    public String text() {
        return org.hopwire.app.text.Text.tr(switch (this) {
            case CONNECTING -> "peer.state.connecting";
            case PAIRING -> "peer.state.pairing";
            case PAIRED -> "peer.state.paired";
            case OFFLINE -> "peer.state.offline";
            case NOT_PAIRED -> "peer.state.not.paired";
        });
    }
}
