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

    /** The formats made so far; bounded by the bundle's keys times the locales asked for. */
    private static final java.util.Map<Key, MessageFormat> FORMATS = new java.util.concurrent.ConcurrentHashMap<>();

    private Text() {
    }

    /** The text for {@code key} in the default locale, with {@code args} put in. */
    public static String tr(String key, Object... args) {
        return tr(Locale.getDefault(), key, args);
    }

    /** The text for {@code key} in {@code locale}, with {@code args} put in. */
    public static String tr(Locale locale, String key, Object... args) {
        // One format per sentence and locale, kept: a new MessageFormat makes a new number format for each of its
        // numbers (a pattern parse each time), and the link panel says a dozen numbers a second. A format is not
        // safe for two threads at once, so each use holds it.
        MessageFormat format = FORMATS.computeIfAbsent(new Key(locale, key), Text::make);
        synchronized (format) {
            return format.format(args);
        }
    }

    private static MessageFormat make(Key k) {
        String pattern;
        try {
            pattern = ResourceBundle.getBundle(BUNDLE, k.locale()).getString(k.key());
        } catch (MissingResourceException e) {
            throw new IllegalArgumentException("no text for '" + k.key() + "' in " + BUNDLE, e);
        }
        return new MessageFormat(pattern, k.locale());
    }

    private record Key(Locale locale, String key) {
    }

    /** Makes every sentence's format for {@code locale} now (at start, off the UI thread), not at its first use. */
    public static void prepare(Locale locale) {
        for (String key : ResourceBundle.getBundle(BUNDLE, locale).keySet()) {
            FORMATS.computeIfAbsent(new Key(locale, key), Text::make);
        }
    }

    /** Whether the bundle has {@code key} (tests). */
    public static boolean has(String key) {
        return ResourceBundle.getBundle(BUNDLE, Locale.ROOT).containsKey(key);
    }
}
