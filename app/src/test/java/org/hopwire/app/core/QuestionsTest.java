package org.hopwire.app.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.hopwire.engine.session.SessionHandler.Consent;
import org.junit.jupiter.api.Test;

class QuestionsTest {
    private final Questions questions = new Questions();
    private final UUID peer = UUID.randomUUID();

    @Test
    void shouldAskInAPersonsWordsAndPassTheAnswerOn() {
        List<Questions.Question> heard = new ArrayList<>();
        questions.onQuestion(heard::add);
        CompletableFuture<Consent> consent = questions.askConsent("Desk", peer, "Webcam C920").toCompletableFuture();
        assertEquals("Desk wants to use Webcam C920", heard.get(0).text());
        heard.get(0).answer(Consent.ALLOW_ALWAYS);
        assertEquals(Consent.ALLOW_ALWAYS, consent.join());
        assertTrue(questions.open().isEmpty(), "an answered question is no longer open");
    }

    @Test
    void shouldTreatAnythingButDenyAsYesForPairingAndOffersAndIgnoreLateAnswers() {
        CompletableFuture<Boolean> pairing = questions.confirmPairing("Desk", peer, "123456").toCompletableFuture();
        Questions.Question q = questions.first(Questions.Kind.PAIRING).orElseThrow();
        assertTrue(q.text().contains("123456") && q.text().contains(peer.toString().substring(0, 8)), q.text());
        q.answer(Consent.DENY);
        q.answer(Consent.ALLOW_ONCE);
        assertFalse(pairing.join());
        CompletableFuture<Boolean> offer = questions.acceptOffer("Desk", peer, "Mic").toCompletableFuture();
        questions.first(Questions.Kind.OFFER).orElseThrow().answer(Consent.ALLOW_ONCE);
        assertTrue(offer.join());
    }

    @Test
    void shouldWithdrawOnlyTheQuestionsOfAPeerWhoseSessionEnded() {
        UUID other = UUID.randomUUID();
        CompletableFuture<Consent> mine = questions.askConsent("Desk", peer, "Cam").toCompletableFuture();
        CompletableFuture<Consent> theirs = questions.askConsent("Lab", other, "Cam").toCompletableFuture();
        questions.withdraw(peer);
        assertEquals(Consent.DENY, mine.join());
        assertFalse(theirs.isDone());
        assertEquals(1, questions.open().size());
    }
}
