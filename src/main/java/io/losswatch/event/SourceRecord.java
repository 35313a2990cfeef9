package io.losswatch.event;

/**
 * Where an input record came from and its original bytes, kept so that a record rejected later
 * (e.g. a label that never finds its prediction) still reaches the dead-letter topic as it arrived.
 */
public record SourceRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
}
