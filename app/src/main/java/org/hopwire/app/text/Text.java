package org.hopwire.app.text;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * Every sentence, label and notice a person reads, from one resource bundle ({@code Messages.properties}, English
 * first), so the app can be translated. Patterns are {@link MessageFormat}s: arguments as {@code {0}}, numbers
 * ({@code {0,number,#.#}}) and dates formatted for the default locale; a literal apostrophe is written {@code ''}.
 *
 * <p>The command line's JSON output and the protocol carry no text from here: only what people read.
 */
public final class Text {
    private static final String BUNDLE = "org.hopwire.app.text.Messages";

    private Text() {
    }

    /** The text for {@code key} in the default locale, with {@code args} put in. */
    public static String tr(String key, Object... args) {
        return tr(Locale.getDefault(), key, args);
    }

    /** The text for {@code key} in {@code locale}, with {@code args} put in. */
    public static String tr(Locale locale, String key, Object... args) {
        String pattern;
        try {
            pattern = ResourceBundle.getBundle(BUNDLE, locale).getString(key);
        } catch (MissingResourceException e) {
            throw new IllegalArgumentException("no text for '" + key + "' in " + BUNDLE, e);
        }
        return new MessageFormat(pattern, locale).format(args);
    }

    /** Whether the bundle has {@code key} (tests). */
    public static boolean has(String key) {
        return ResourceBundle.getBundle(BUNDLE, Locale.ROOT).containsKey(key);
    }
}
