package org.hopwire.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;

import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layering honest: the engine calls native code in one class only, only gst-bridge touches GStreamer, no
 * package cycles.
 */
class ArchitectureTest {
    private static final String ENGINE_NATIVE_CALLS = "org.hopwire.engine.fabric.kernel.LinuxCalls";
    private static final String EMULATOR_NATIVE_CALLS = "org.hopwire.engine.emulator.fuse.FuseCalls";

    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        // Test classes are left out, those of the engine's test jar (the emulated testbed) included.
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("org.hopwire");
        // Without these the rules below would pass on nothing.
        for (String pkg : new String[] {"org.hopwire.engine.fabric", "org.hopwire.gst", "org.hopwire.app",
            "org.hopwire.app.core", "org.hopwire.app.ui.model"}) {
            assertTrue(classes.containPackage(pkg), "imported " + pkg);
        }
    }

    @Test
    void engineImportsNeitherJavaFxNorGStreamerAndCallsNativeCodeOnlyInLinuxCalls() {
        noClasses().that().resideInAPackage("org.hopwire.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.freedesktop.gstreamer..",
                        "org.hopwire.gst..", "org.hopwire.app..")
                .check(classes);
        // The kernel adapter's system calls (errno as a number, device I/O a close can wake) live in one class.
        // The emulator's FUSE server has its own five (open /dev/fuse, mount, read, write, umount).
        assertTrue(classes.contain(ENGINE_NATIVE_CALLS), "imported " + ENGINE_NATIVE_CALLS);
        assertTrue(classes.contain(EMULATOR_NATIVE_CALLS), "imported " + EMULATOR_NATIVE_CALLS);
        noClasses().that().resideInAPackage("org.hopwire.engine..")
                .and().haveNameNotMatching(Pattern.quote(ENGINE_NATIVE_CALLS) + "(\\$.*)?")
                .and().haveNameNotMatching(Pattern.quote(EMULATOR_NATIVE_CALLS) + "(\\$.*)?")
                .should().dependOnClassesThat().resideInAnyPackage("com.sun.jna..")
                .because("only " + ENGINE_NATIVE_CALLS + " and " + EMULATOR_NATIVE_CALLS
                        + " (and their nested classes) call native code in the engine")
                .check(classes);
    }

    @Test
    void appDoesNotTouchGStreamerTypes() {
        noClasses().that().resideInAPackage("org.hopwire.app..")
                .should().dependOnClassesThat().resideInAnyPackage("org.freedesktop.gstreamer..", "com.sun.jna..")
                .check(classes);
    }

    @Test
    void onlyTheNativesPackageCallsNativeCodeDirectly() {
        noClasses().that().resideInAPackage("org.hopwire.gst..").and().resideOutsideOfPackage("org.hopwire.gst.natives")
                .should().dependOnClassesThat().resideInAnyPackage("com.sun.jna..")
                .check(classes);
    }

    @Test
    void nobodyParsesBusErrorsThroughGst1JavasGErrorMessage() {
        // Their getMessage()/getCode() free JNA's copy of the GError with g_error_free, into GLib's slice allocator:
        // the heap is corrupt from then on (GstNatives.errorDetail says how). GstNatives.errorDetail reads them.
        noClasses().should().callMethodWhere(JavaCall.Predicates.target(HasOwner.Predicates.With.owner(
                        JavaClass.Predicates.assignableTo("org.freedesktop.gstreamer.message.GErrorMessage")))
                .and(JavaCall.Predicates.target(HasName.Predicates.nameMatching("getMessage|getCode"))))
                .because("gst1-java-core's GErrorMessage frees JNA's memory with g_error_free; use "
                        + "GstNatives.errorDetail")
                .check(classes);
    }

    @Test
    void gstBridgeDoesNotTouchJavaFx() {
        noClasses().that().resideInAPackage("org.hopwire.gst..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.hopwire.app..")
                .check(classes);
    }

    @Test
    void theAppsCoreRunsWithoutAToolkit() {
        // The hub, the demo peer and the questions serve the window, the CLI and the service alike.
        noClasses().that().resideInAPackage("org.hopwire.app.core..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "org.kordamp..",
                        "org.hopwire.app.ui..")
                .check(classes);
    }

    @Test
    void theServiceAndTheNotificationsRunWithoutAToolkit() {
        // hopwire serve runs on machines without a display: nothing it loads may need JavaFX.
        noClasses().that().resideInAnyPackage("org.hopwire.app.service..", "org.hopwire.app.desktop..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "org.kordamp..",
                        "org.hopwire.app.ui..")
                .check(classes);
    }

    @Test
    void viewModelsAreTestableWithoutAScene() {
        // Properties and observable lists (javafx.beans, javafx.collections) are fine; controls and scenes are not.
        noClasses().that().resideInAPackage("org.hopwire.app.ui.model..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "javafx.stage..",
                        "org.controlsfx..")
                .check(classes);
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("org.hopwire.(**)").should().beFreeOfCycles().check(classes);
    }
}
