package io.losswatch.replay;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.EventParser;
import io.losswatch.event.InputMapping;
import io.losswatch.event.LabelEvent;
import io.losswatch.event.MappedRecordReader;
import io.losswatch.event.ParseResult;
import io.losswatch.event.PredictionEvent;
import io.losswatch.event.ReadResult;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A record's event time, read the way the topology's intake reads it (the same {@link EventParser} and
 * {@link MappedRecordReader} with the same settings), so the replay can choose the records of its range
 * and merge the topics in event-time order before the topology sees them. The topology reads each record
 * again; this only decides which records it gets and in what order.
 */
final class EventTimes {
    static final long UNKNOWN = Long.MIN_VALUE;

    private final EventParser parser;
    private final MappedRecordReader predictions;
    private final MappedRecordReader labels;

    EventTimes(LosswatchConfig config) {
        parser = new EventParser(config.inputMaxBytes(), config.inputMaxNesting());
        InputMapping p = config.inputMapping("predictions");
        InputMapping l = config.inputMapping("labels");
        predictions = p.isPlain() ? null : new MappedRecordReader(parser, p, config::classesFor);
        labels = l.isPlain() ? null : new MappedRecordReader(parser, l);
    }

    /** The event time of a prediction (its first, for a record of several) or label; UNKNOWN if unreadable. */
    long of(boolean prediction, byte[] key, byte[] value, Headers headers, long timestamp) {
        if (value == null) {
            return UNKNOWN;
        }
        if (prediction) {
            if (predictions == null) {
                return parser.parsePrediction(value, timestamp) instanceof ParseResult.Ok<PredictionEvent> ok
                        ? ok.event().eventTime() : UNKNOWN;
            }
            ReadResult<PredictionEvent> read = predictions.readPredictions(input(key, value, headers, timestamp));
            if (read instanceof ReadResult.Events<PredictionEvent> events) {
                List<PredictionEvent> list = events.events();
                return list.isEmpty() ? UNKNOWN : list.get(0).eventTime();
            }
            return UNKNOWN;
        }
        if (labels == null) {
            return parser.parseLabel(value, timestamp) instanceof ParseResult.Ok<LabelEvent> ok
                    ? ok.event().eventTime() : UNKNOWN;
        }
        ReadResult<LabelEvent> read = labels.readLabel(input(key, value, headers, timestamp));
        return read instanceof ReadResult.Events<LabelEvent> events && !events.events().isEmpty()
                ? events.events().get(0).eventTime() : UNKNOWN;
    }

    private static MappedRecordReader.Input input(byte[] key, byte[] value, Headers headers, long timestamp) {
        return new MappedRecordReader.Input(key, value, name -> {
            Header h = headers == null ? null : headers.lastHeader(name);
            return h == null ? null : h.value();
        }, timestamp);
    }
}
