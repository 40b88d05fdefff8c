package org.hopwire.app.ui;

/** Node ids tests and CSS can select: a device id such as {@code test:camera} becomes {@code test_camera}. */
public final class Ids {
    private Ids() {
    }

    public static String of(String prefix, String name) {
        return prefix + "-" + name.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
