package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.event.PredictionEvent;
import io.losswatch.event.SourceRecord;
import io.losswatch.topology.Routed.PendingPrediction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What the join keeps per prediction waiting for its label (CONTRACT §9's long label delays): the binary
 * form's exact size for a typical prediction, against the JSON of earlier versions, and a lossless trip.
 */
class PendingPredictionSerdeTest {
    static final String VALUE = "{\"prediction_id\":\"p-000123456\",\"model\":\"fraud\",\"model_version\":\"v4\","
            + "\"timestamp\":1764000000000,\"prediction\":0.0312}";

    static PendingPrediction typical() {
        PredictionEvent e = new PredictionEvent("p-000123456", "fraud", "v4", 1_764_000_000_000L,
                com.fasterxml.jackson.databind.node.DoubleNode.valueOf(0.0312), null);
        return new PendingPrediction(e, new SourceRecord("predictions", 2, 123_456_789L, 1_764_000_000_000L, null,
                VALUE.getBytes(StandardCharsets.UTF_8)), true);
    }

    @Test
    void aTypicalPendingPredictionTakesItsOriginalBytesPlus93() {
        PendingPrediction p = typical();
        byte[] bytes = new PendingPredictionSerde().serializer().serialize("t", p);
        int value = VALUE.length(); // 114
        // marker, windowsOpen, event time; id, model, version, "0.0312", topic (each with a 4-byte length);
        // partition, offset, timestamp; key (null: just its length) and the original value
        int expected = 1 + 1 + 8 + (4 + 11) + (4 + 5) + (4 + 2) + (4 + 6) + (4 + 11) + 4 + 8 + 8 + 4 + (4 + value);
        assertThat(value).isEqualTo(114);
        assertThat(bytes).hasSize(expected).hasSize(value + 93);
        assertThat(PendingPredictionSerde.jsonSize(p)).as("the JSON form of earlier versions").isGreaterThan(2 * bytes.length);

        PendingPrediction back = new PendingPredictionSerde().deserializer().deserialize("t", bytes);
        assertThat(back.event()).isEqualTo(p.event());
        assertThat(back.windowsOpen()).isTrue();
        assertThat(back.source().value()).isEqualTo(p.source().value());
        assertThat(back.source().key()).isNull();
        assertThat(back.source().offset()).isEqualTo(123_456_789L);
        assertThat(back.source().partition()).isEqualTo(2);
        assertThat(back.source().timestamp()).isEqualTo(1_764_000_000_000L);
    }
}
