package io.losswatch.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;

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
}
