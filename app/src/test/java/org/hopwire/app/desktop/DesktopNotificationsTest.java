package org.hopwire.app.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.types.UInt32;
import org.hopwire.app.core.Questions;
import org.hopwire.engine.session.SessionHandler.Consent;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Questions as desktop notifications against a private session bus whose notification server the test plays:
 * the window's buttons go out, a click comes back as the answer, an answer elsewhere takes the notification away.
 */
class DesktopNotificationsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final UUID peer = UUID.fromString("6f1c9d2e-4b7a-4c3e-9f10-2a5b8c7d0e11");
    private final Questions questions = new Questions();
    private PrivateBus bus;
    private DesktopNotifications notifications;

    @BeforeEach
    void startBus() throws Exception {
        Assumptions.assumeTrue(PrivateBus.missing().isEmpty(), () -> PrivateBus.missing().orElse(""));
        bus = PrivateBus.start();
        notifications = new DesktopNotifications(Optional.of(bus.address()));
    }

    @AfterEach
    void stopBus() throws Exception {
        if (notifications != null) {
            notifications.close();
        }
        if (bus != null) {
            bus.close();
        }
    }

    private Questions.Question ask(Questions.Kind kind) {
        switch (kind) {
            case PAIRING -> questions.confirmPairing("Demo laptop", peer, "481 516");
            case CONSENT -> questions.askConsent("Demo laptop", peer, "Test camera");
            case OFFER -> questions.acceptOffer("Demo laptop", peer, "Test microphone");
        }
        return questions.first(kind).orElseThrow();
    }

    @Test
    void shouldBeUnavailableWithoutABusOrServerAndNeverThrow() throws Exception {
        DesktopNotifications none = new DesktopNotifications(Optional.empty());
        assertFalse(none.available().get(5, TimeUnit.SECONDS));
        assertTrue(none.status().contains("no session bus"), none.status());
        none.close();
        DesktopNotifications gone = new DesktopNotifications(Optional.of("unix:path=/nonexistent/hopwire/bus"));
        QuestionNotifier n = new QuestionNotifier(gone, WAIT, Optional.empty());
        assertFalse(n.notify(ask(Questions.Kind.CONSENT), (q, why) -> { }).get(5, TimeUnit.SECONDS));
        assertTrue(gone.status().contains("no session bus at /nonexistent/hopwire/bus"), gone.status());
        gone.close();
        // A bus without a notification server (a desktop that has none, or the person's session is over).
        assertFalse(notifications.available().get(5, TimeUnit.SECONDS));
        assertTrue(notifications.status().contains("no notification server"), notifications.status());
    }

    @Test
    void shouldAskForConsentWithTheWindowsButtonsAndTakeTheAnswerClicked() throws Exception {
        bus.startServer();
        QuestionNotifier n = new QuestionNotifier(notifications, WAIT, Optional.empty());
        CompletableFuture<Consent> answer = questions.askConsent("Demo laptop", peer, "Test camera")
                .toCompletableFuture();
        assertTrue(n.notify(questions.first(Questions.Kind.CONSENT).orElseThrow(), (q, why) -> { })
                .get(5, TimeUnit.SECONDS));
        assertEquals(1, bus.shown.size());
        PrivateBus.Shown s = bus.shown.get(0);
        assertEquals(List.of("allow-once", "Allow once", "always", "Always", "deny", "Deny"), s.actions());
        assertEquals("org.hopwire.Hopwire", s.appIcon());
        assertEquals("org.hopwire.Hopwire", s.hints().get("desktop-entry").getValue());
        assertEquals("Demo laptop wants to use Test camera", s.summary());
        assertTrue(s.body().contains("6f1c9d2e"), "the peer's UUID, not only its chosen name: " + s.body());
        bus.invoke(s.id(), "always");
        assertEquals(Consent.ALLOW_ALWAYS, answer.get(5, TimeUnit.SECONDS));
    }

    @Test
    void shouldShowThePairingCodeAndWithdrawTheNotificationWhenAnsweredElsewhere() throws Exception {
        bus.startServer();
        QuestionNotifier n = new QuestionNotifier(notifications, WAIT, Optional.of(() -> { }));
        Questions.Question q = ask(Questions.Kind.PAIRING);
        assertTrue(n.notify(q, (x, why) -> { }).get(5, TimeUnit.SECONDS));
        PrivateBus.Shown s = bus.shown.get(0);
        assertEquals(List.of("default", "Open Hopwire", "confirm", "Confirm", "reject", "Reject"), s.actions());
        assertTrue(s.summary().contains("481 516") && s.body().contains("481 516"), s.summary() + " / " + s.body());
        q.answer(Consent.ALLOW_ONCE); // the window's dialog
        Transfers.await(() -> bus.closed.contains(s.id()), WAIT, "CloseNotification");
        assertEquals(0, notifications.showing());
    }

    @Test
    void shouldIgnoreAClickSentByAnyoneButTheNotificationServer() throws Exception {
        bus.startServer();
        QuestionNotifier n = new QuestionNotifier(notifications, WAIT, Optional.empty());
        Questions.Question q = ask(Questions.Kind.OFFER);
        assertTrue(n.notify(q, (x, why) -> { }).get(5, TimeUnit.SECONDS));
        long id = bus.shown.get(0).id();
        assertEquals(List.of("borrow", "Borrow", "decline", "Decline"), bus.shown.get(0).actions());
        try (DBusConnection other = DBusConnectionBuilder.forAddress(bus.address()).withShared(false).build()) {
            other.sendMessage(new Notifications.ActionInvoked(Notifications.OBJECT_PATH, new UInt32(id), "borrow"));
            Thread.sleep(500);
        }
        assertFalse(q.isAnswered(), "a forged click from another process on the bus");
        bus.invoke(id, "decline");
        Transfers.await(q::isAnswered, WAIT, "answered by the server's click");
    }

    @Test
    void shouldTellWhenNobodyAnsweredInTimeOrTheNotificationWasDismissed() throws Exception {
        bus.startServer();
        QuestionNotifier quick = new QuestionNotifier(notifications, Duration.ofMillis(300), Optional.empty());
        CompletableFuture<DesktopNotifications.Closed> expired = new CompletableFuture<>();
        Questions.Question q = ask(Questions.Kind.CONSENT);
        assertTrue(quick.notify(q, (x, why) -> expired.complete(why)).get(5, TimeUnit.SECONDS));
        assertEquals(DesktopNotifications.Closed.EXPIRED, expired.get(5, TimeUnit.SECONDS));
        Transfers.await(() -> bus.closed.contains(bus.shown.get(0).id()), WAIT, "taken off the screen");
        assertFalse(q.isAnswered(), "the caller decides what no answer means");

        QuestionNotifier n = new QuestionNotifier(notifications, WAIT, Optional.empty());
        CompletableFuture<DesktopNotifications.Closed> dismissed = new CompletableFuture<>();
        assertTrue(n.notify(q, (x, why) -> dismissed.complete(why)).get(5, TimeUnit.SECONDS));
        bus.dismiss(bus.shown.get(1).id());
        assertEquals(DesktopNotifications.Closed.DISMISSED, dismissed.get(5, TimeUnit.SECONDS));
    }
}
