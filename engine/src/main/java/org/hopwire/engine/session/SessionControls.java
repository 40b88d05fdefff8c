package org.hopwire.engine.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlMessage.Control;
import org.hopwire.engine.protocol.ControlMessage.ControlAccess;
import org.hopwire.engine.protocol.ControlMessage.ControlState;
import org.hopwire.engine.protocol.ProtocolError;

/**
 * The controls of one session's lent and borrowed channels (docs/protocol.md, 4.1 and 7.1).
 *
 * <p>Owner side: a borrower's {@code CONTROL_SET} names a channel lent to it and a control its device lists; the value
 * is clamped to the control's range and step. Changes wait in a "latest wins" slot per control and are applied on the
 * session's ticker at most once per control every {@link #APPLY_GAP_NS}, so however fast a peer sends them (a dragged
 * slider, or a flood) the device sees at most 50 changes a second per channel, and the owner's answers are no more
 * than the peer's requests. Whether they are applied follows the consent: allowed, refused with a reason, or asked of
 * the owner's person at the first change.
 *
 * <p>Borrower side: one change per control is on its way at a time; changes made meanwhile replace each other and
 * the latest goes out when the owner confirms the one before, so a dragged slider follows the round trip.
 */
final class SessionControls {
    /**
     * 20 ms between two applications of a channel's changes: a slider dragged at the screen's 60 Hz still moves the
     * picture at 50 steps a second, and a flood costs the device no more than that.
     */
    static final long APPLY_GAP_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A change the owner did not answer within a second no longer holds the next one back. */
    static final long STUCK_NS = TimeUnit.SECONDS.toNanos(1);
    /** Reports of a peer's bad control requests: at most one every 250 ms; the others are only counted. */
    static final long ERROR_GAP_NS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Callers waiting for one control's confirmation, at most; older ones are told they were superseded. */
    static final int MAX_WAITERS = 256;

    /** What the controls need of their session. */
    interface Port {
        void post(ControlMessage m);

        /** Runs {@code r} on the session's ticker after {@code delayNs}; nothing once the session ended. */
        void later(Runnable r, long delayNs);

        SessionHandler handler();

        PeerInfo peer();

        String peerName();

        String hostName();

        boolean lends(int channel);

        /** The device id of a channel this host borrows, or null. */
        String borrowedDevice(int channel);

        Optional<ControlMessage.Device> localDevice(String deviceId);

        Optional<ControlMessage.Device> peerDevice(String deviceId);
    }

    /** A lent channel's controls; guarded by itself. */
    private static final class Lent {
        final int channel;
        final ControlMessage.Device device;
        final Map<String, Long> values = new HashMap<>();
        final LinkedHashMap<String, long[]> pending = new LinkedHashMap<>();
        int access;
        String reason;
        boolean asking;
        boolean scheduled;
        boolean ended;
        long lastApplyNs;

        Lent(int channel, ControlMessage.Device device) {
            this.channel = channel;
            this.device = device;
        }

        long value(String name) {
            Long v = values.get(name);
            return v != null ? v : device.control(name).map(Control::value).orElse(0L);
        }
    }

    /** One borrowed control's changes on their way. */
    private static final class Flight {
        long inFlight;
        long sentNs;
        boolean hasNext;
        long nextRequest;
        long nextValue;
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    }

    private record Waiter(long request, CompletableFuture<ControlState> future) {
    }

    /** A borrowed channel's controls; guarded by itself. */
    private static final class Borrowed {
        final String deviceName;
        final LinkedHashMap<String, Control> controls = new LinkedHashMap<>();
        final Map<String, Flight> flights = new HashMap<>();
        ControlAccess access;

        Borrowed(ControlMessage.Device device) {
            this.deviceName = device.name();
            device.controls().forEach(c -> controls.put(c.name(), c));
        }
    }

    private final Port port;
    private final Map<Integer, Lent> lent = new ConcurrentHashMap<>();
    private final Map<Integer, Borrowed> borrowed = new ConcurrentHashMap<>();
    private final AtomicLong nextRequest = new AtomicLong(1);
    private final AtomicLong coalesced = new AtomicLong();
    private final Object errorGate = new Object();
    private long lastErrorNs;

    SessionControls(Port port) {
        this.port = port;
    }

    // ---- owner side -----------------------------------------------------------------------------------------------

    /** A channel is about to be lent (before its CAPS goes out): its controls are known from now on. */
    void prepare(int channel, String deviceId, int access) {
        ControlMessage.Device device = port.localDevice(deviceId)
                .orElse(new ControlMessage.Device(deviceId, 0, deviceId, List.of()));
        Lent l = new Lent(channel, device);
        Map<String, Long> now = port.handler().controlValues(deviceId);
        for (Control c : device.controls()) {
            Long v = now.get(c.name());
            l.values.put(c.name(), c.clamp(v != null ? v : c.value()));
        }
        l.access = access;
        l.reason = reasonFor(access, device.name());
        lent.put(channel, l);
    }

    /** After the lend's CAPS: the borrower hears whether it may change the controls, and their values now. */
    void announce(int channel) {
        Lent l = lent.get(channel);
        if (l == null || l.device.controls().isEmpty()) {
            return;
        }
        List<ControlMessage> out = new ArrayList<>();
        synchronized (l) {
            out.add(new ControlAccess(channel, l.access, l.reason));
            for (Control c : l.device.controls()) {
                out.add(new ControlState(channel, 0, c.name(), l.value(c.name()), ControlState.OWNER));
            }
        }
        out.forEach(port::post);
    }

    private String reasonFor(int access, String deviceName) {
        return switch (access) {
            case ControlAccess.REFUSED -> "the person on " + port.hostName() + " did not let " + port.peerName()
                    + " adjust " + deviceName;
            case ControlAccess.ASK -> "the person on " + port.hostName() + " is asked at the first change";
            default -> "";
        };
    }

    void lendEnded(int channel) {
        Lent l = lent.remove(channel);
        if (l != null) {
            synchronized (l) {
                l.ended = true;
                l.pending.clear();
            }
        }
    }

    /** On the control reader: checked, clamped, and put in the control's slot; applied on the ticker. */
    void onSet(ControlMessage.ControlSet set) {
        Lent l = lent.get(set.channel());
        if (l == null || !port.lends(set.channel())) {
            report(ProtocolError.NOT_ALLOWED, "channel " + set.channel() + " is not lent to " + port.peerName()
                    + ": its controls cannot be changed");
            return;
        }
        Optional<Control> c = l.device.control(set.control());
        if (c.isEmpty()) {
            report(ProtocolError.NOT_ALLOWED, l.device.name() + " has no control " + set.control());
            return;
        }
        synchronized (l) {
            if (l.ended) {
                return;
            }
            if (l.pending.put(set.control(), new long[] {set.requestId(), c.get().clamp(set.value())}) != null) {
                coalesced.incrementAndGet();
            }
            schedule(l);
        }
    }

    /** Holding {@code l}: one drain at a time, no sooner than the gap after the last. */
    private void schedule(Lent l) {
        if (l.scheduled || l.asking || l.pending.isEmpty()) {
            return;
        }
        l.scheduled = true;
        long delay = l.lastApplyNs == 0 ? 0 : Math.max(0, l.lastApplyNs + APPLY_GAP_NS - System.nanoTime());
        port.later(() -> drain(l), delay);
    }

    /** On the ticker: applies (or refuses) what waits, and answers each with the value in force. */
    private void drain(Lent l) {
        List<Map.Entry<String, long[]>> batch;
        int access;
        synchronized (l) {
            l.scheduled = false;
            if (l.ended || l.pending.isEmpty()) {
                return;
            }
            if (l.access == ControlAccess.ASK) {
                if (!l.asking) {
                    l.asking = true;
                    askPerson(l);
                }
                return; // the changes wait for the answer; a flood meanwhile only replaces them
            }
            batch = new ArrayList<>(l.pending.entrySet());
            l.pending.clear();
            l.lastApplyNs = System.nanoTime();
            access = l.access;
        }
        if (access != ControlAccess.ALLOWED) {
            report(ProtocolError.NOT_ALLOWED, l.reason);
            for (Map.Entry<String, long[]> e : batch) {
                long current;
                synchronized (l) {
                    current = l.value(e.getKey());
                }
                port.post(new ControlState(l.channel, e.getValue()[0], e.getKey(), current, ControlState.REFUSED));
            }
            return;
        }
        for (Map.Entry<String, long[]> e : batch) {
            Control c = l.device.control(e.getKey()).orElseThrow();
            long current;
            synchronized (l) {
                current = l.value(c.name());
            }
            long actual;
            int status = ControlState.APPLIED;
            try {
                actual = c.clamp(port.handler().applyControl(l.channel, l.device.id(), c.withValue(current),
                        e.getValue()[1]));
            } catch (SessionHandler.ControlFailed failed) {
                report(ProtocolError.INTERNAL, l.device.name() + " did not take " + c.name() + ": "
                        + failed.getMessage());
                actual = current;
                status = ControlState.REFUSED;
            }
            synchronized (l) {
                if (l.ended) {
                    return;
                }
                l.values.put(c.name(), actual);
            }
            port.post(new ControlState(l.channel, e.getValue()[0], c.name(), actual, status));
        }
    }

    private void askPerson(Lent l) {
        port.handler().askControl(port.peer(), l.device.id()).whenComplete((yes, error) -> port.later(() -> {
            boolean allowed = Boolean.TRUE.equals(yes) && error == null;
            ControlAccess told;
            synchronized (l) {
                l.asking = false;
                if (l.ended) {
                    return;
                }
                l.access = allowed ? ControlAccess.ALLOWED : ControlAccess.REFUSED;
                l.reason = reasonFor(l.access, l.device.name());
                told = new ControlAccess(l.channel, l.access, l.reason);
            }
            port.post(told);
            synchronized (l) {
                schedule(l);
            }
        }, 0));
    }

    /** The owner changed a control on its own side: every borrower of the device hears the value. */
    int ownerChanged(String deviceId, String name, long value) {
        int told = 0;
        for (Lent l : lent.values()) {
            if (!l.device.id().equals(deviceId)) {
                continue;
            }
            Optional<Control> c = l.device.control(name);
            if (c.isEmpty()) {
                continue;
            }
            long v = c.get().clamp(value);
            synchronized (l) {
                if (l.ended) {
                    continue;
                }
                l.values.put(name, v);
            }
            port.post(new ControlState(l.channel, 0, name, v, ControlState.OWNER));
            told++;
        }
        return told;
    }

    long coalesced() {
        return coalesced.get();
    }

    /** Tells the peer what was wrong with its control request, at most one report every 250 ms. */
    private void report(ProtocolError error, String text) {
        synchronized (errorGate) {
            long now = System.nanoTime();
            if (lastErrorNs != 0 && now - lastErrorNs < ERROR_GAP_NS) {
                return;
            }
            lastErrorNs = now;
        }
        port.post(new ControlMessage.ErrorReport(error, text));
    }

    // ---- borrower side --------------------------------------------------------------------------------------------

    private Borrowed borrowed(int channel) {
        String deviceId = port.borrowedDevice(channel);
        if (deviceId == null) {
            return null;
        }
        Borrowed b = borrowed.get(channel);
        if (b == null) {
            Optional<ControlMessage.Device> d = port.peerDevice(deviceId);
            if (d.isEmpty()) {
                return null;
            }
            borrowed.putIfAbsent(channel, new Borrowed(d.get()));
            b = borrowed.get(channel);
        }
        return b;
    }

    CompletableFuture<ControlState> set(int channel, String name, long value) throws SessionException {
        Borrowed b = borrowed(channel);
        Control c = null;
        if (b != null) {
            synchronized (b) {
                c = b.controls.get(name);
            }
        }
        if (b == null || c == null) {
            throw new SessionException("the borrowed device on channel " + channel + " has no control " + name);
        }
        long v = c.clamp(value);
        CompletableFuture<ControlState> f = new CompletableFuture<>();
        ControlMessage.ControlSet send = null;
        Waiter dropped = null;
        synchronized (b) {
            Flight fl = b.flights.computeIfAbsent(name, k -> new Flight());
            long request = nextRequest.getAndIncrement() & 0xffff_ffffL;
            if (fl.waiters.size() >= MAX_WAITERS) {
                dropped = fl.waiters.pollFirst();
            }
            fl.waiters.addLast(new Waiter(request, f));
            long now = System.nanoTime();
            if (fl.inFlight == 0 || now - fl.sentNs > STUCK_NS) {
                fl.inFlight = request;
                fl.sentNs = now;
                fl.hasNext = false;
                send = new ControlMessage.ControlSet(channel, request, name, v);
            } else {
                fl.hasNext = true;
                fl.nextRequest = request;
                fl.nextValue = v;
            }
        }
        if (dropped != null) {
            dropped.future().completeExceptionally(new SessionException("superseded by later changes of " + name));
        }
        if (send != null) {
            port.post(send);
        }
        return f;
    }

    void onState(ControlState st) {
        Borrowed b = borrowed(st.channel());
        if (b == null) {
            return; // not a channel this host borrows: nothing to update
        }
        List<Waiter> done = new ArrayList<>();
        ControlMessage.ControlSet next = null;
        ControlState clean;
        synchronized (b) {
            Control c = b.controls.get(st.control());
            if (c == null) {
                return; // not a control the owner's catalog listed
            }
            long v = c.clamp(st.value());
            clean = new ControlState(st.channel(), st.requestId(), st.control(), v, st.status());
            b.controls.put(c.name(), c.withValue(v));
            Flight fl = b.flights.get(c.name());
            if (fl != null && st.requestId() != 0) {
                while (!fl.waiters.isEmpty() && fl.waiters.peekFirst().request() <= st.requestId()) {
                    done.add(fl.waiters.pollFirst());
                }
                if (fl.inFlight != 0 && st.requestId() >= fl.inFlight) {
                    if (fl.hasNext) {
                        fl.inFlight = fl.nextRequest;
                        fl.sentNs = System.nanoTime();
                        fl.hasNext = false;
                        next = new ControlMessage.ControlSet(st.channel(), fl.nextRequest, c.name(), fl.nextValue);
                    } else {
                        fl.inFlight = 0;
                    }
                }
            }
        }
        if (next != null) {
            port.post(next);
        }
        done.forEach(w -> w.future().complete(clean));
        port.handler().onControlState(clean);
    }

    void onAccess(ControlAccess a) {
        Borrowed b = borrowed(a.channel());
        if (b == null) {
            return;
        }
        ControlAccess clean = new ControlAccess(a.channel(), a.access(), PeerText.text(a.reason()));
        synchronized (b) {
            b.access = clean;
        }
        port.handler().onControlAccess(clean);
    }

    List<Control> borrowedControls(int channel) {
        Borrowed b = borrowed(channel);
        if (b == null) {
            return List.of();
        }
        synchronized (b) {
            return List.copyOf(b.controls.values());
        }
    }

    ControlAccess borrowedAccess(int channel) {
        Borrowed b = borrowed(channel);
        if (b == null) {
            return null;
        }
        synchronized (b) {
            return b.access;
        }
    }

    void borrowEnded(int channel) {
        Borrowed b = borrowed.remove(channel);
        if (b != null) {
            failWaiters(b, new SessionException("the borrow on channel " + channel + " ended"));
        }
    }

    void sessionEnded(SessionException why) {
        lent.keySet().forEach(this::lendEnded);
        for (Integer ch : List.copyOf(borrowed.keySet())) {
            Borrowed b = borrowed.remove(ch);
            if (b != null) {
                failWaiters(b, why);
            }
        }
    }

    private static void failWaiters(Borrowed b, SessionException why) {
        List<Waiter> all = new ArrayList<>();
        synchronized (b) {
            b.flights.values().forEach(fl -> all.addAll(fl.waiters));
            b.flights.clear();
        }
        all.forEach(w -> w.future().completeExceptionally(why));
    }
}
