package org.hopwire.engine.session;

/**
 * Why a session ended, and what to tell the person.
 *
 * @param reason  the kind of ending
 * @param message a sentence for people
 */
public record SessionEnd(Reason reason, String message) {
    public enum Reason {
        /** This host closed it. */
        LOCAL_CLOSE,
        /** The peer said goodbye or closed its streams. */
        PEER_CLOSED,
        /** The cable was pulled or the peer host went away, or stopped answering. */
        LINK_DOWN,
        /** The peer speaks another major version of the protocol. */
        INCOMPATIBLE_VERSION,
        /** Either person rejected pairing. */
        PAIRING_REJECTED,
        /** The peer could not prove it holds the pairing key, or does not know this host. */
        AUTH_FAILED,
        /** The peer sent something that breaks the protocol. */
        PROTOCOL_ERROR
    }
}
