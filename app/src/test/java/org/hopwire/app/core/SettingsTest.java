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
    void shouldRememberAFormatPerPeerDeviceAndGoBackToAutomatic() throws Exception {
        java.util.UUID peer = java.util.UUID.randomUUID();
        java.util.UUID other = java.util.UUID.randomUUID();
        String mjpeg = "image/jpeg,width=1280,height=720,framerate=30/1";
        Settings s = Settings.defaults().withDeviceFormat(peer, "test:camera", mjpeg)
                .withDeviceFormat(other, "test:camera", "video/x-raw,width=640,height=480,framerate=30/1");
        s.save(dir);
        Settings back = Settings.load(dir);
        assertEquals(Optional.of(mjpeg), back.formatFor(peer, "test:camera"));
        assertEquals(Optional.empty(), back.formatFor(peer, "video:/dev/video0"), "per device");
        assertTrue(back.formatFor(other, "test:camera").orElseThrow().startsWith("video/x-raw"), "per peer");
        assertEquals(FormatPolicy.AUTOMATIC, back.formatPolicy(), "the global policy stays the default");
        Settings automatic = back.withDeviceFormat(peer, "test:camera", "");
        automatic.save(dir);
        assertEquals(Optional.empty(), Settings.load(dir).formatFor(peer, "test:camera"), "Automatic again");
        assertEquals(Optional.empty(), s.withDeviceFormat(peer, "x", "video/x-raw,width=<b>").formatFor(peer, "x"),
                "text the protocol would refuse is not kept");
        // A hand-edited line that is not a format, or not for a peer, is left out; the rest loads.
        Files.writeString(dir.resolve(Settings.FILE), "format.device." + peer + "/cam=video/x-raw\n"
                + "format.device.nobody/cam=video/x-raw\nformat.device." + peer + "/bad=raw please\n");
        Settings edited = Settings.load(dir);
        assertEquals(1, edited.deviceFormats().size(), edited.deviceFormats().toString());
        assertEquals(Optional.of("video/x-raw"), edited.formatFor(peer, "cam"));
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
