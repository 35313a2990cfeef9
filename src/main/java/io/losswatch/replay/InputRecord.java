package io.losswatch.replay;

import org.apache.kafka.common.header.Headers;

/**
 * One input record as the replay reads it, from a topic or a file.
 *
 * @param predictions true for the predictions topic, false for labels
 * @param recordTime  the record timestamp handed to the topology (a §4 record without a timestamp of its
 *                    own takes it as its event time): the Kafka one, or in a file its envelope's {@code ts},
 *                    else the newest time read before it in that file
 * @param wallTime    the wall-clock time the topology sees when it reads the record: its Kafka timestamp (as
 *                    if read the moment it was written), in a file without one its event time
 * @param eventTime   its event time as the topic's reading gives it ({@link EventTimes}), or {@link EventTimes#UNKNOWN}
 * @param order       the time it is merged in by: its event time, else its record time
 */
record InputRecord(boolean predictions, byte[] key, byte[] value, Headers headers, long recordTime, long wallTime,
                   long eventTime, long order) {
}
