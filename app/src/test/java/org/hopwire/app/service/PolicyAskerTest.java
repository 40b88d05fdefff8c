package org.hopwire.app.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.hopwire.app.desktop.DesktopNotifications;
import org.hopwire.app.desktop.PrivateBus;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.session.SessionHandler.Consent;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The service's person: the allow list decides unattended, a desktop notification first when one can be shown. */
class PolicyAskerTest {
    private static final UUID LAPTOP = UUID.fromString("6f1c9d2e-4b7a-4c3e-9f10-2a5b8c7d0e11");
    private static final UUID IMPOSTOR = UUID.fromString("00000000-0000-4000-8000-000000000bad");
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ServeLog log = new ServeLog(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(out, true, StandardCharsets.UTF_8), true, Clock.systemUTC());

    private static ServeConfig config(boolean askDesktop, Duration timeout) throws ServeConfig.Invalid {
        ServeConfig parsed = ServeConfig.parse(List.of("[peer " + LAPTOP + "]  # Demo laptop",
                "allow = test:camera"), "serve.conf");
        return new ServeConfig(askDesktop, timeout, parsed.allowed(), "serve.conf");
    }

    private String logged() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldAllowOnlyTheListedDeviceToTheListedUuidAndLogWhy() throws Exception {
        PolicyAsker asker = new PolicyAsker(config(true, Duration.ofSeconds(60)), log, Optional.empty());
        assertEquals(Consent.ALLOW_ONCE, asker.askConsent("Demo laptop", LAPTOP, "test:camera", "Test camera")
                .toCompletableFuture().join(), "listed: once, never always");
        assertTrue(logged().contains("<5>consent: 'Demo laptop' (" + LAPTOP + ") asks for Test camera (test:camera):"
                + " allowed once, listed in serve.conf line 2"), logged());
        assertEquals(Consent.DENY, asker.askConsent("Demo laptop", LAPTOP, "test:microphone", "Test microphone")
                .toCompletableFuture().join());
        assertTrue(logged().contains("asks for Test microphone (test:microphone): denied, not listed in serve.conf"
                + " (to allow it unattended, add 'allow = test:microphone' under [peer " + LAPTOP + "])"), logged());
        assertEquals(Consent.DENY, asker.askConsent("Demo laptop", IMPOSTOR, "test:camera", "Test camera")
                .toCompletableFuture().join(), "the same name on another host grants nothing");
        assertTrue(logged().contains("'Demo laptop' (" + IMPOSTOR + ") asks for Test camera (test:camera): denied"),
                logged());
    }

    @Test
    void shouldLetAPeerAdjustADeviceUnattendedOnlyWhenItsControlsLineListsIt() throws Exception {
        ServeConfig parsed = ServeConfig.parse(List.of("[peer " + LAPTOP + "]", "allow = test:camera, test:microphone",
                "controls = test:camera"), "serve.conf");
        ServeConfig noDesktop = new ServeConfig(false, parsed.questionTimeout(), parsed.allowed(), "serve.conf",
                parsed.controls());
        PolicyAsker asker = new PolicyAsker(noDesktop, log, Optional.empty());
        assertTrue(asker.askControl("Demo laptop", LAPTOP, "test:camera", "Test camera").toCompletableFuture()
                .join());
        assertTrue(logged().contains("controls: 'Demo laptop' (" + LAPTOP + ") wants to adjust Test camera"
                + " (test:camera): allowed, listed in serve.conf line 3"), logged());
        assertFalse(asker.askControl("Demo laptop", LAPTOP, "test:microphone", "Test microphone")
                .toCompletableFuture().join(), "lent unattended, but not adjustable");
        assertTrue(logged().contains("add 'controls = test:microphone' under [peer " + LAPTOP + "]"), logged());
        assertFalse(asker.askControl("Demo laptop", IMPOSTOR, "test:camera", "Test camera").toCompletableFuture()
                .join(), "the same name on another host grants nothing");
        // Consent itself does not decide the controls: a borrow allowed once asks at the first change.
        assertEquals(new SessionHandler.ConsentAnswer(Consent.ALLOW_ONCE, true), asker.askConsentWithControls(
                "Demo laptop", LAPTOP, "test:camera", "Test camera").toCompletableFuture().join());
    }

    @Test
    void shouldRefusePairingAndDeclineOffersWithoutAPerson() throws Exception {
        PolicyAsker asker = new PolicyAsker(config(true, Duration.ofSeconds(60)), log, Optional.empty());
        assertFalse(asker.confirmPairing("Demo laptop", LAPTOP, "123456").toCompletableFuture().join());
        assertTrue(logged().contains("pairing with 'Demo laptop' (" + LAPTOP + ") refused: nobody is here to compare"
                + " the code (pair from a terminal with 'hopwire pair " + LAPTOP + "'"), logged());
        assertFalse(asker.acceptOffer("Demo laptop", LAPTOP, "Test camera").toCompletableFuture().join());
        assertTrue(logged().contains("offer: 'Demo laptop' (" + LAPTOP + ") offers Test camera: declined"), logged());
    }

    @Test
    void shouldAskTheDesktopFirstAndFallBackToThePolicyWhenNobodyAnswers() throws Exception {
        Assumptions.assumeTrue(PrivateBus.missing().isEmpty(), () -> PrivateBus.missing().orElse(""));
        try (PrivateBus bus = PrivateBus.start();
             DesktopNotifications n = new DesktopNotifications(Optional.of(bus.address()))) {
            bus.startServer();
            PolicyAsker asker = new PolicyAsker(config(true, Duration.ofSeconds(60)), log, Optional.of(n));
            PolicyAsker quick = new PolicyAsker(config(true, Duration.ofMillis(400)), log, Optional.of(n));

            // The person denies what the file would allow: the person at the desktop outranks the file.
            CompletableFuture<Consent> denied = asker.askConsent("Demo laptop", LAPTOP, "test:camera", "Test camera")
                    .toCompletableFuture();
            Transfers.await(() -> bus.shown.size() == 1, Duration.ofSeconds(10), "notification");
            assertEquals(List.of("allow-once", "Allow once", "always", "Always", "deny", "Deny"),
                    bus.shown.get(0).actions());
            bus.invoke(bus.shown.get(0).id(), "deny");
            assertEquals(Consent.DENY, denied.get(10, TimeUnit.SECONDS));
            Transfers.await(() -> logged().contains("denied by the person at the desktop"), Duration.ofSeconds(5),
                    "logged");

            // Nobody answers: the notification goes away and the file decides (listed: allowed once).
            CompletableFuture<Consent> timedOut = quick.askConsent("Demo laptop", LAPTOP, "test:camera",
                    "Test camera").toCompletableFuture();
            assertEquals(Consent.ALLOW_ONCE, timedOut.get(10, TimeUnit.SECONDS));
            Transfers.await(() -> bus.closed.contains(bus.shown.get(1).id()), Duration.ofSeconds(5), "withdrawn");
            Transfers.await(() -> logged().contains("allowed once after no answer in 0 s: listed in serve.conf"
                    + " line 2"), Duration.ofSeconds(5), "logged: " + logged());

            // Pairing through the desktop: the code is shown, Confirm pairs.
            CompletableFuture<Boolean> paired = asker.confirmPairing("Demo laptop", LAPTOP, "654321")
                    .toCompletableFuture();
            Transfers.await(() -> bus.shown.size() == 3, Duration.ofSeconds(10), "pairing notification");
            assertTrue(bus.shown.get(2).summary().contains("654321"));
            bus.invoke(bus.shown.get(2).id(), "confirm");
            assertTrue(paired.get(10, TimeUnit.SECONDS));
            // ...and a dismissed one refuses.
            CompletableFuture<Boolean> dismissed = asker.confirmPairing("Demo laptop", LAPTOP, "111111")
                    .toCompletableFuture();
            Transfers.await(() -> bus.shown.size() == 4, Duration.ofSeconds(10), "pairing notification");
            bus.dismiss(bus.shown.get(3).id());
            assertFalse(dismissed.get(10, TimeUnit.SECONDS));
            Transfers.await(() -> logged().contains("(code 111111) refused by the person at the desktop (dismissed"),
                    Duration.ofSeconds(5), "logged: " + logged());
        }
    }

    @Test
    void shouldDecideAtOnceWhenTheDesktopHasNoNotificationServer() throws Exception {
        Assumptions.assumeTrue(PrivateBus.missing().isEmpty(), () -> PrivateBus.missing().orElse(""));
        try (PrivateBus bus = PrivateBus.start();
             DesktopNotifications n = new DesktopNotifications(Optional.of(bus.address()))) {
            PolicyAsker asker = new PolicyAsker(config(true, Duration.ofSeconds(60)), log, Optional.of(n));
            assertEquals(Consent.ALLOW_ONCE, asker.askConsent("Demo laptop", LAPTOP, "test:camera", "Test camera")
                    .toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertFalse(asker.confirmPairing("Demo laptop", LAPTOP, "123456").toCompletableFuture()
                    .get(10, TimeUnit.SECONDS));
            Transfers.await(() -> logged().contains("refused without asking (no notification server"),
                    Duration.ofSeconds(5), "logged: " + logged());
        }
    }
}
