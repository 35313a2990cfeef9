package io.losswatch.event;

import com.fasterxml.jackson.core.JsonPointer;

/**
 * Where a mapping reads one §4 field of an input record (CONTRACT §10): a JSON Pointer into the value
 * (RFC 6901), a record header, the record key, or a constant. The text form is the setting's value.
 */
public sealed interface FieldSource {
    /** The setting's value, e.g. {@code /meta/model} or {@code header:model-name}. */
    String text();

    /** RFC 6901: "" is the whole value, otherwise "/"-separated tokens with ~0 for ~ and ~1 for /. */
    record Pointer(JsonPointer pointer, String text) implements FieldSource {
    }

    /** A Kafka record header (its last value), read as UTF-8. */
    record Header(String name) implements FieldSource {
        @Override
        public String text() {
            return HEADER + name;
        }
    }

    /** The record key, read as UTF-8. */
    record Key() implements FieldSource {
        @Override
        public String text() {
            return KEY;
        }
    }

    /** The same value for every record. */
    record Const(String value) implements FieldSource {
        @Override
        public String text() {
            return CONST + value;
        }
    }

    String HEADER = "header:";
    String CONST = "const:";
    String KEY = "key";

    /** Parses a setting's value; IllegalArgumentException with what was expected when it is none of the four. */
    static FieldSource parse(String text) {
        if (text.startsWith(HEADER)) {
            String name = text.substring(HEADER.length());
            if (name.isEmpty()) {
                throw new IllegalArgumentException("header: needs a header name, e.g. header:model");
            }
            return new Header(name);
        }
        if (text.startsWith(CONST)) {
            return new Const(text.substring(CONST.length()));
        }
        if (text.equals(KEY)) {
            return new Key();
        }
        if (!text.isEmpty() && !text.startsWith("/")) {
            throw new IllegalArgumentException("expected a JSON Pointer starting with / (e.g. /meta/model),"
                    + " header:NAME, key or const:VALUE");
        }
        for (int i = text.indexOf('~'); i >= 0; i = text.indexOf('~', i + 1)) {
            if (i + 1 >= text.length() || (text.charAt(i + 1) != '0' && text.charAt(i + 1) != '1')) {
                throw new IllegalArgumentException("malformed JSON Pointer: '~' must be followed by 0 (for ~) or 1 (for /)"
                        + " at character " + i);
            }
        }
        return new Pointer(JsonPointer.compile(text), text);
    }
}
