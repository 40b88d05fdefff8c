package org.hopwire.gst.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlMessage.Control;
import org.junit.jupiter.api.Test;

/** A real camera's controls, read from what {@code v4l2-ctl --list-ctrls} printed for a USB webcam (recorded). */
class V4l2ControlsTest {
    /** v4l2-ctl 1.22 on a UVC webcam, with a few lines of other drivers' kinds mixed in. */
    static final String LIST_CTRLS = String.join("\n",
            "",
            "User Controls",
            "",
            "                     brightness 0x00980900 (int)    : min=-64 max=64 step=1 default=0 value=-10",
            "                       contrast 0x00980901 (int)    : min=0 max=64 step=1 default=32 value=32",
            "        white_balance_automatic 0x0098090c (bool)   : default=1 value=1",
            "           power_line_frequency 0x00980918 (menu)   : min=0 max=2 default=1 value=1 (50 Hz)",
            "      white_balance_temperature 0x0098091a (int)    : min=2800 max=6500 step=1 default=4600 value=4600"
                    + " flags=inactive",
            "",
            "Camera Controls",
            "",
            "                  auto_exposure 0x009a0901 (menu)   : min=0 max=3 default=3 value=3 (Aperture Priority"
                    + " Mode)",
            "         exposure_time_absolute 0x009a0902 (int)    : min=1 max=5000 step=1 default=157 value=157"
                    + " flags=inactive",
            "                 focus_absolute 0x009a090a (int)    : min=0 max=250 step=5 default=0 value=0"
                    + " flags=inactive",
            "     focus_automatic_continuous 0x009a090c (bool)   : default=1 value=1",
            "                  zoom_absolute 0x009a090d (int)    : min=100 max=500 step=1 default=100 value=100",
            "                   pan_absolute 0x009a0908 (int)    : min=-36000 max=36000 step=3600 default=0 value=0",
            "                  tilt_absolute 0x009a0909 (int)    : min=-36000 max=36000 step=3600 default=0 value=0",
            "                   pan_reset 0x009a0910 (button) : value=0 flags=write-only",
            "                  camera_orientation 0x009a0922 (menu)   : min=0 max=2 default=0 value=0"
                    + " flags=read-only",
            "                  name 0x00980001 (str)    : min=0 max=32 step=1 value='cam'",
            "                  0: Disabled",
            "garbage that is not a control line");

    @Test
    void shouldReadEverySettableControlWithItsRangeStepDefaultAndValue() {
        List<Control> got = V4l2Controls.parse(LIST_CTRLS);
        assertEquals(List.of("brightness", "contrast", "white_balance_automatic", "power_line_frequency",
                "white_balance_temperature", "auto_exposure", "exposure_time_absolute", "focus_absolute",
                "focus_automatic_continuous", "zoom_absolute", "pan_absolute", "tilt_absolute"),
                got.stream().map(Control::name).toList(), "buttons, read-only and string controls are left out");
        assertEquals(new Control("brightness", Control.INTEGER, -64, 64, 1, 0, -10), got.get(0));
        assertEquals(new Control("white_balance_automatic", Control.BOOLEAN, 0, 1, 1, 1, 1), got.get(2));
        assertEquals(new Control("power_line_frequency", Control.MENU, 0, 2, 1, 1, 1), got.get(3));
        assertEquals(new Control("focus_absolute", Control.INTEGER, 0, 250, 5, 0, 0), got.get(7));
        assertEquals(new Control("pan_absolute", Control.INTEGER, -36000, 36000, 3600, 0, 0), got.get(10));
    }

    @Test
    void shouldKeepWhatItReadsWithinTheProtocolsBounds() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many.append(String.format("c%d 0x%08x (int) : min=0 max=10 step=1 default=5 value=50%n", i, i));
        }
        List<Control> got = V4l2Controls.parse(many.toString());
        assertEquals(ControlMessage.MAX_CONTROLS, got.size());
        assertEquals(10, got.get(0).value(), "a value outside the range is clamped into it");
        assertTrue(V4l2Controls.parse("brightness 0x00980900 (int) : min=5 max=1 step=1 default=0 value=0")
                .isEmpty(), "a range upside down is no control");
    }

    @Test
    void shouldSetAControlThroughExtraControls() {
        assertEquals("controls,zoom_absolute=(int)300", V4l2Controls.extraControls("zoom_absolute", 300));
        assertTrue(V4l2Controls.list("/tmp/not-a-camera").isEmpty());
    }
}
