package org.hopwire.app.ui.fabric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import javafx.scene.control.Label;
import javafx.scene.control.TableView;

import org.hopwire.app.HopwireApp;
import org.hopwire.engine.fabric.emulated.EmulatedCable;
import org.hopwire.engine.fabric.emulated.EmulatedFabric;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** The real window, headless under Monocle, on an emulated fabric the test can unplug. */
class FabricWindowTest {
    private final FxRobot robot = new FxRobot();
    private EmulatedWorld world;
    private EmulatedCable cable;
    private javafx.application.Application app;

    @BeforeEach
    void start() throws Exception {
        world = new EmulatedWorld();
        var here = world.addHost("here");
        var there = world.addHost("Demo laptop");
        cable = world.connect(here, there);
        EmulatedFabric fabric = new EmulatedFabric(here, world);
        FxToolkit.registerPrimaryStage();
        app = FxToolkit.setupApplication(() -> new HopwireApp(fabric, "Emulated fabric (test)."));
    }

    @AfterEach
    void stop() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
        world.close();
    }

    @SuppressWarnings("unchecked")
    private TableView<HostRow> hosts() {
        return (TableView<HostRow>) robot.lookup("#hosts").query();
    }

    @Test
    void shouldShowThePeerAndFollowTheCable() throws Exception {
        assertEquals("Emulated fabric (test).", robot.lookup("#status").queryAs(Label.class).getText());
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> hosts().getItems().size() == 1);
        assertEquals("Demo laptop", hosts().getItems().get(0).name());
        assertTrue(robot.lookup("Demo laptop").tryQuery().isPresent(), "the row is drawn, not only in the model");

        cable.unplug();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> hosts().getItems().isEmpty());
        assertTrue(robot.lookup("No host on the cable. Plug in a USB4/Thunderbolt cable to another Linux host.")
                .tryQuery().isPresent(), "the empty table says what to do");

        cable.plug();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> hosts().getItems().size() == 1);
    }
}
