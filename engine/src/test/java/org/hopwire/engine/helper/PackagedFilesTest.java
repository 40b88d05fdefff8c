package org.hopwire.engine.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.hopwire.engine.fabric.kernel.HelperLauncher;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The files the package installs for the helper agree with the code: the polkit policy (well-formed, the two actions
 * for the installed helper and its modes, defaults polkit knows) and the modprobe.d options.
 */
class PackagedFilesTest {
    private static final Path PACKAGING = Path.of("..", "packaging");
    private static final Set<String> POLKIT_ANSWERS = Set.of("no", "yes", "auth_self", "auth_admin",
            "auth_self_keep", "auth_admin_keep");

    private static Document policy() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        // The DOCTYPE names freedesktop's DTD by URL: never fetched (offline builds), the structure is checked below.
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setNamespaceAware(false);
        DocumentBuilder b = f.newDocumentBuilder();
        return b.parse(PACKAGING.resolve("polkit/org.hopwire.Hopwire.policy").toFile());
    }

    private static String text(Element parent, String tag) {
        NodeList l = parent.getElementsByTagName(tag);
        assertEquals(1, l.getLength(), tag + " in " + parent.getAttribute("id"));
        return l.item(0).getTextContent().strip();
    }

    @Test
    void shouldDeclareBothActionsForTheInstalledHelperAndItsModes() throws Exception {
        Document d = policy();
        assertEquals("policyconfig", d.getDocumentElement().getTagName());
        assertEquals("policyconfig", d.getDoctype().getName());
        NodeList actions = d.getElementsByTagName("action");
        Map<String, Element> byId = new HashMap<>();
        for (int i = 0; i < actions.getLength(); i++) {
            Element a = (Element) actions.item(i);
            byId.put(a.getAttribute("id"), a);
        }
        assertEquals(Set.of(HelperLauncher.CONFIGURE_STREAMS_ACTION, HelperLauncher.LOAD_V4L2LOOPBACK_ACTION),
                byId.keySet());
        Map<String, String> mode = Map.of(HelperLauncher.CONFIGURE_STREAMS_ACTION, "configfs",
                HelperLauncher.LOAD_V4L2LOOPBACK_ACTION, "v4l2loopback");
        for (Element a : byId.values()) {
            assertFalse(text(a, "description").isEmpty());
            assertTrue(text(a, "message").startsWith("Hopwire wants to"), "says who asks for what");
            Element defaults = (Element) a.getElementsByTagName("defaults").item(0);
            for (String kind : List.of("allow_any", "allow_inactive", "allow_active")) {
                assertTrue(POLKIT_ANSWERS.contains(text(defaults, kind)), kind);
            }
            Map<String, String> annotations = new HashMap<>();
            NodeList an = a.getElementsByTagName("annotate");
            for (int i = 0; i < an.getLength(); i++) {
                Element e = (Element) an.item(i);
                annotations.put(e.getAttribute("key"), e.getTextContent().strip());
            }
            assertEquals(HelperLauncher.INSTALLED_HELPER.toString(),
                    annotations.get("org.freedesktop.policykit.exec.path"));
            assertEquals(mode.get(a.getAttribute("id")), annotations.get("org.freedesktop.policykit.exec.argv1"));
        }
        Element streams = (Element) byId.get(HelperLauncher.CONFIGURE_STREAMS_ACTION)
                .getElementsByTagName("defaults").item(0);
        assertEquals("yes", text(streams, "allow_active"), "no password for the person at the seat");
        assertEquals("auth_admin_keep", text(streams, "allow_any"));
        assertEquals("auth_admin_keep", text(streams, "allow_inactive"));
    }

    @Test
    void shouldShipTheModprobeOptionsTheHelperLoadsWith() throws Exception {
        List<String> options = Files.readAllLines(PACKAGING.resolve("modprobe/hopwire-v4l2loopback.conf")).stream()
                .filter(l -> l.startsWith("options ")).toList();
        assertEquals(List.of("options v4l2loopback devices=1 exclusive_caps=1 card_label=\"Hopwire camera\""),
                options);
        assertEquals(List.of("v4l2loopback", "devices=1", "exclusive_caps=1", "card_label=Hopwire camera"),
                PrivilegedHelper.V4L2LOOPBACK_ARGS, "the same options on the helper's modprobe command line");
    }
}
