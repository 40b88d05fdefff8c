package org.hopwire.app.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.hopwire.engine.Fabrics;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.gst.format.FormatPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    @Test
    void shouldRememberEveryChoiceAndTheWindowAcrossARestart() throws Exception {
        Settings s = Settings.defaults().withFabric(Fabrics.Choice.EMULATED).withFormatPolicy(FormatPolicy.MJPEG)
                .withConsent(Settings.ConsentDefault.DENY).withDataProtection(FrameSeal.Protection.AUTHENTICATED)
                .withWindow(new Settings.Window(40, 30, 1200, 800, true));
        s.save(dir);
        assertEquals(s, Settings.load(dir));
        assertTrue(Files.readAllLines(dir.resolve(Settings.FILE)).contains("data.protection=authenticated"),
                "saved as a word a person can edit");
        for (FrameSeal.Protection p : FrameSeal.Protection.values()) {
            s.withDataProtection(p).save(dir);
            assertEquals(p, Settings.load(dir).dataProtection());
        }
    }

    @Test
    void shouldEncryptThePicturesUnlessThePersonChoseOtherwise() throws Exception {
        assertEquals(FrameSeal.Protection.ENCRYPTED, Settings.defaults().dataProtection());
        assertEquals(FrameSeal.Protection.ENCRYPTED, Settings.load(dir).dataProtection(), "no file yet");
        Files.writeString(dir.resolve(Settings.FILE), "data.protection= None \n");
        assertEquals(FrameSeal.Protection.NONE, Settings.load(dir).dataProtection(), "any case, spaces trimmed");
    }

    @Test
    void shouldFallBackToDefaultsForBrokenValuesAndForgetAWindowTooSmallToUse() throws Exception {
        Files.writeString(dir.resolve(Settings.FILE), String.join("\n", "fabric=usb", "format.policy=mjpeg",
                "consent=maybe", "data.protection=aes", "emulated.uuid=not-a-uuid", "window.x=0", "window.y=0",
                "window.width=20", "window.height=10"));
        Settings s = Settings.load(dir);
        assertEquals(Fabrics.Choice.AUTO, s.fabric());
        assertEquals(FormatPolicy.MJPEG, s.formatPolicy(), "a good value next to bad ones is kept");
        assertEquals(Settings.ConsentDefault.ASK, s.consent(), "nothing is lent without asking by default");
        assertEquals(FrameSeal.Protection.ENCRYPTED, s.dataProtection(), "a broken value protects the most");
        Files.writeString(dir.resolve(Settings.FILE), "data.protection=\n");
        assertEquals(FrameSeal.Protection.ENCRYPTED, Settings.load(dir).dataProtection(), "an empty value too");
        assertEquals(Optional.empty(), s.window());
    }

    @Test
    void shouldShowThePreviewOnBorrowUntilThePersonTurnsItOff() throws Exception {
        assertTrue(Settings.defaults().previewOnBorrow());
        assertTrue(Settings.load(dir).previewOnBorrow(), "no file yet");
        Settings off = Settings.defaults().withFabric(Fabrics.Choice.EMULATED).withPreviewOnBorrow(false);
        off.save(dir);
        assertEquals(off, Settings.load(dir));
        assertTrue(Files.readAllLines(dir.resolve(Settings.FILE)).contains("preview.on.borrow=false"));
        assertEquals(Fabrics.Choice.EMULATED, Settings.load(dir).withPreviewOnBorrow(true).fabric(),
                "the other choices stay");
        Files.writeString(dir.resolve(Settings.FILE), "preview.on.borrow=perhaps\n");
        assertTrue(Settings.load(dir).previewOnBorrow(), "a broken value falls back to on");
    }

    @Test
    void shouldKeepTheEmulatedHostsUuidFromItsFirstLaunchOn() throws Exception {
        SettingsStore first = new SettingsStore(dir);
        java.util.UUID uuid = first.get().localUuid();
        first.close();
        SettingsStore second = new SettingsStore(dir);
        assertEquals(uuid, second.get().localUuid());
        second.update(x -> x.withConsent(Settings.ConsentDefault.DENY));
        second.close();
        assertEquals(Settings.ConsentDefault.DENY, Settings.load(dir).consent(), "saved after an update");
        assertTrue(Files.readString(dir.resolve(Settings.FILE)).contains(uuid.toString()));
    }
}
