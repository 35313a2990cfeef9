package io.losswatch.event;

/** Why an input record cannot be used: a reason code (see {@link RejectReason}) and a message for people. */
public record Rejection(String reason, String message) {
}
