package io.losswatch.event;

/** Either a parsed event or the reason the record was rejected. */
public sealed interface ParseResult<T> {
    record Ok<T>(T event) implements ParseResult<T> {
    }

    record Rejected<T>(Rejection rejection) implements ParseResult<T> {
    }

    static <T> ParseResult<T> reject(String reason, String message) {
        return new Rejected<>(new Rejection(reason, message));
    }
}
