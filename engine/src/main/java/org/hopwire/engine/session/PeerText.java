package org.hopwire.engine.session;

/**
 * Makes a name or text a peer sent safe to show a person: control characters, format characters (among them the
 * bidirectional overrides and isolates that can reorder what a dialog seems to say, and zero-width characters),
 * line and paragraph separators and unpaired surrogates are removed, runs of white space become one space, and the
 * length is capped with an ellipsis. A peer can then not spoof a dialog's wording or layout.
 */
public final class PeerText {
    /** Host names and device names shown in dialogs and lists. */
    public static final int NAME_CHARS = 64;
    /** Error texts and reasons shown in notices. */
    public static final int TEXT_CHARS = 300;

    private PeerText() {
    }

    public static String name(String s) {
        return clean(s, NAME_CHARS);
    }

    public static String text(String s) {
        return clean(s, TEXT_CHARS);
    }

    /** {@code s} cleaned and cut to at most {@code maxChars} code points (the last one an ellipsis when cut). */
    public static String clean(String s, int maxChars) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), maxChars + 1));
        boolean space = false;
        int count = 0;
        boolean cut = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                space = out.length() > 0;
                continue;
            }
            if (!shown(cp)) {
                continue;
            }
            if (count + (space ? 1 : 0) >= maxChars) {
                cut = true;
                break;
            }
            if (space) {
                out.append(' ');
                count++;
                space = false;
            }
            out.appendCodePoint(cp);
            count++;
        }
        if (cut) {
            // Room for the ellipsis: drop the last code point if the cap is reached.
            if (count >= maxChars && out.length() > 0) {
                out.setLength(out.offsetByCodePoints(out.length(), -1));
            }
            out.append('\u2026');
        }
        return out.toString();
    }

    private static boolean shown(int cp) {
        switch (Character.getType(cp)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return false;
            default:
                return true;
        }
    }
}
