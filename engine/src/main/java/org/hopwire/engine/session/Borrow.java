package org.hopwire.engine.session;

/**
 * A device this host borrows from the peer: its frames arrive on {@code channel}.
 *
 * @param channel   the data-stream channel
 * @param deviceId  the owner's device id
 * @param caps      the media type the owner sends, as GStreamer caps text
 */
public record Borrow(int channel, String deviceId, String caps) {
}
