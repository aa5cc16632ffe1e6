package dev.drbdmultiaz.rehearsal.timeline;

import java.util.Locale;

/** A small SVG (XML) writer: elements with escaped attributes and text, numbers to 0.1 px. */
final class Svg {

    private final StringBuilder out = new StringBuilder();

    /** Opens {@code tag} with attribute name/value pairs. */
    Svg open(String tag, Object... attributes) {
        out.append('<').append(tag);
        attributes(attributes);
        out.append('>');
        return this;
    }

    /** An element without content. */
    Svg empty(String tag, Object... attributes) {
        out.append('<').append(tag);
        attributes(attributes);
        out.append("/>\n");
        return this;
    }

    /** An element holding only {@code text}. */
    Svg element(String tag, String text, Object... attributes) {
        return open(tag, attributes).text(text).close(tag);
    }

    Svg text(String text) {
        out.append(escape(text));
        return this;
    }

    Svg close(String tag) {
        out.append("</").append(tag).append(">\n");
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void attributes(Object... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name/value pairs");
        }
        for (int i = 0; i < pairs.length; i += 2) {
            Object value = pairs[i + 1];
            String text = value instanceof Double d ? number(d) : String.valueOf(value);
            out.append(' ').append(pairs[i]).append("=\"").append(escape(text)).append('"');
        }
    }

    static String number(double value) {
        String text = String.format(Locale.ROOT, "%.1f", value);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }

    /**
     * {@code text} as XML character data or attribute value: the five markup characters as
     * entities, and characters XML 1.0 does not allow at all (controls but tab, line feed and
     * carriage return; lone surrogates) as U+FFFD.
     */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&apos;");
                default -> {
                    boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1));
                    if (pair) {
                        escaped.append(c).append(text.charAt(++i));
                    } else if (Character.isSurrogate(c) || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                        || c == 0xFFFE || c == 0xFFFF) {
                        escaped.append('\uFFFD');
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        return escaped.toString();
    }
}
