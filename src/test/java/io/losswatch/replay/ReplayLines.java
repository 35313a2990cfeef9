package io.losswatch.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A replay's stdout as the tests read it: its JSON lines of one kind ("metrics", "prediction_metrics", "alert"). */
final class ReplayLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReplayLines() {
    }

    static List<JsonNode> of(String out, String kind) {
        return out.lines().map(ReplayLines::parse).filter(n -> n.get("record").asText().equals(kind)).toList();
    }

    static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException(line, e);
        }
    }

    /**
     * The same keys, and in each expected record's fields (but those named in ignored) the same values: text,
     * integers and booleans exactly, decimals to a relative tolerance, a "message" with its figures masked
     * (it quotes the decimals).
     */
    static void assertSameRecords(Map<String, JsonNode> actual, Map<String, JsonNode> expected, Set<String> ignored,
                                  double relativeTolerance) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
            JsonNode a = actual.get(e.getKey());
            for (Iterator<String> it = e.getValue().fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (ignored.contains(field)) {
                    continue;
                }
                JsonNode x = e.getValue().get(field);
                JsonNode y = a.get(field);
                String what = e.getKey() + " " + field;
                assertThat(y).as(what + " present").isNotNull();
                if (x.isFloatingPointNumber() && y.isNumber()) {
                    assertThat(y.asDouble()).as(what)
                            .isCloseTo(x.asDouble(), within(relativeTolerance * Math.max(1, Math.abs(x.asDouble()))));
                } else if (field.equals("message")) {
                    assertThat(y.asText().replaceAll("[0-9.]+", "#")).as(what).isEqualTo(x.asText().replaceAll("[0-9.]+", "#"));
                } else {
                    assertThat(y).as(what).isEqualTo(x);
                }
            }
        }
    }
}
