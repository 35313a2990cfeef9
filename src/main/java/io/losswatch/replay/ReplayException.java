package io.losswatch.replay;

/** A replay that cannot go on (a topic that does not exist, a partition that stalls): one line, exit code 1. */
final class ReplayException extends RuntimeException {
    ReplayException(String message) {
        super(message);
    }
}
