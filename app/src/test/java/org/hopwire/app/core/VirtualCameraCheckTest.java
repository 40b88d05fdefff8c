package org.hopwire.app.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "Borrow as a virtual webcam" is offered only when a virtual camera can be made, else it says why and the fix. */
class VirtualCameraCheckTest {
    @TempDir
    Path root;

    private VirtualCameraCheck check(boolean canLoad) {
        return new VirtualCameraCheck(root.resolve("sys"), root.resolve("lib/modules/6.1.0-test"), () -> canLoad);
    }

    @Test
    void shouldSayWhatToInstallWhenTheModuleIsNeitherLoadedNorInstalled() {
        VirtualCameraCheck.Availability a = check(true).check();
        assertFalse(a.available());
        assertTrue(a.menuText().contains("Needs v4l2loopback") || a.menuText().contains("needs v4l2loopback"),
                a.menuText());
        assertTrue(a.menuText().contains("sudo apt install v4l2loopback-dkms"), a.menuText());
        assertTrue(a.menuText().contains("restart Hopwire"), a.menuText());
    }

    @Test
    void shouldOfferItWhenTheModuleIsLoaded() throws Exception {
        Files.createDirectories(root.resolve("sys/module/v4l2loopback"));
        assertTrue(check(false).check().available());
    }

    @Test
    void shouldOfferItWhenInstalledForThisKernelAndTheHelperCanLoadIt() throws Exception {
        Path modules = Files.createDirectories(root.resolve("lib/modules/6.1.0-test/updates/dkms"));
        Files.writeString(modules.resolve("v4l2loopback.ko.xz"), "");
        assertTrue(check(true).check().available());
        VirtualCameraCheck.Availability noHelper = check(false).check();
        assertFalse(noHelper.available());
        assertTrue(noHelper.fix().contains("modprobe v4l2loopback"), noHelper.fix());
    }

    @Test
    void shouldFindTheModuleInModulesDep() throws Exception {
        Path modules = Files.createDirectories(root.resolve("lib/modules/6.1.0-test"));
        Files.writeString(modules.resolve("modules.dep"),
                "kernel/drivers/media/v4l2-core/videodev.ko.xz:\nupdates/dkms/v4l2loopback.ko: kernel/videodev.ko\n");
        assertTrue(check(true).installed());
        Files.writeString(modules.resolve("modules.dep"), "kernel/drivers/media/v4l2-core/videodev.ko.xz:\n");
        assertFalse(check(true).installed(), "another kernel's module does not count");
    }

    @Test
    void shouldFindNoVirtualCameraOnThisMachineWithoutKernelModules() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isDirectory(Path.of("/sys/module/v4l2loopback")),
                "this machine has v4l2loopback loaded");
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isDirectory(Path.of("/lib/modules",
                System.getProperty("os.version"))), "this machine has kernel modules");
        assertFalse(VirtualCameraCheck.startChecking().get().available());
        assertTrue(VirtualCameraCheck.current().isPresent());
    }
}
