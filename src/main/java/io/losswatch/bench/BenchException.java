package io.losswatch.bench;

/** The benchmark could not run, or its outputs are inconsistent; the message says which. */
final class BenchException extends RuntimeException {
    BenchException(String message) {
        super(message);
    }
}
