package io.losswatch.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.config.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A JSON-lines file of one input topic (CONTRACT §12), read a line at a time. A line is the record's value
 * as it would be on the topic (§4, or the team's own shape of §10). Where the topic's reading needs more
 * than the value (losswatch.input.&lt;topic&gt;.format=kserve, or a mapping to {@code header:NAME} or
 * {@code key}), a line is instead the record as {@code kcat -J} prints it: {@code {"key": "...",
 * "headers": ["NAME", "value", ...], "payload": "...", "ts": 1764000000000}} (headers may also be an
 * object, the payload a JSON value instead of a string). A record with no time of its own (no {@code ts},
 * and no timestamp in the value) is dated at the newest time read before it in the file.
 */
final class FileSource implements Source, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final boolean predictions;
    private final boolean envelope;
    private final EventTimes times;
    private final ReplayRange range;
    private final BufferedReader reader;
    private final ReplayCounts counts;
    private InputRecord head;
    private long lastTime = -1;
    private long line;

    FileSource(Path file, boolean predictions, boolean envelope, EventTimes times, ReplayRange range, ReplayCounts counts) {
        this.file = file;
        this.predictions = predictions;
        this.envelope = envelope;
        this.times = times;
        this.range = range;
        this.counts = counts;
        try {
            this.reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }

    @Override
    public InputRecord head() {
        while (head == null) {
            String text;
            try {
                text = reader.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file + " line " + (line + 1), e);
            }
            if (text == null) {
                return null;
            }
            line++;
            if (text.isBlank()) {
                continue;
            }
            head = record(text);
        }
        return head;
    }

    @Override
    public void advance() {
        head = null;
    }

    /** The line as a record, or null if it is outside the range (counted). */
    private InputRecord record(String text) {
        byte[] key = null;
        byte[] value;
        Headers headers = new RecordHeaders();
        long ts = -1;
        if (envelope) {
            JsonNode e;
            try {
                e = JSON.readTree(text);
            } catch (IOException ex) {
                e = null;
            }
            if (e == null || !e.isObject()) {
                // not an envelope: the topology dead-letters the line itself as the value
                value = text.getBytes(StandardCharsets.UTF_8);
            } else {
                key = e.hasNonNull("key") ? e.get("key").asText().getBytes(StandardCharsets.UTF_8) : null;
                JsonNode payload = e.get("payload");
                value = payload == null || payload.isNull() ? null
                        : (payload.isTextual() ? payload.asText() : payload.toString()).getBytes(StandardCharsets.UTF_8);
                ts = e.path("ts").canConvertToLong() ? e.get("ts").asLong() : -1;
                addHeaders(e.get("headers"), headers);
            }
        } else {
            value = text.getBytes(StandardCharsets.UTF_8);
        }
        long timestamp = ts >= 0 ? ts : Math.max(0, lastTime);
        long eventTime = times.of(predictions, key, value, headers, timestamp);
        long order = eventTime != EventTimes.UNKNOWN ? eventTime : timestamp;
        lastTime = Math.max(lastTime, order);
        counts.read(predictions);
        if (!(predictions ? range.feedsPrediction(order) : range.feedsLabel(order))) {
            counts.outsideRange(predictions);
            return null;
        }
        return new InputRecord(predictions, key, value, headers, timestamp, ts >= 0 ? ts : order, eventTime, order);
    }

    private static void addHeaders(JsonNode node, Headers headers) {
        if (node == null) {
            return;
        }
        if (node.isArray()) {
            for (int i = 0; i + 1 < node.size(); i += 2) {
                JsonNode v = node.get(i + 1);
                headers.add(node.get(i).asText(), v.isNull() ? null : v.asText().getBytes(StandardCharsets.UTF_8));
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> h = it.next();
                headers.add(h.getKey(), h.getValue().isNull() ? null : h.getValue().asText().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            // read-only: nothing lost
        }
    }
}
