package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.DoubleNode;
import io.losswatch.event.PredictionEvent;
import io.losswatch.event.SourceRecord;
import io.losswatch.topology.Routed.JoinInput;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class PredictionsByIdSerdeTest {
    private final PredictionsByIdSerde serde = new PredictionsByIdSerde();

    private JoinInput roundTrip(JoinInput value) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }

    @Test
    void aWatermarkAndAPendingPredictionSurviveTheTrip() {
        Routed.Watermark w = new Routed.Watermark(2, 3, 1_764_000_000_123L, true);
        assertThat(roundTrip(w)).isEqualTo(w);
        PredictionEvent e = new PredictionEvent("p-1", "churn", "v7", 1_764_000_000_000L, new DoubleNode(0.8), null);
        Routed.PendingPrediction p = new Routed.PendingPrediction(e,
                new SourceRecord("predictions", 1, 41, 1_764_000_000_000L, null, "{}".getBytes(StandardCharsets.UTF_8)),
                true);
        JoinInput back = roundTrip(p);
        assertThat(back).isInstanceOf(Routed.PendingPrediction.class);
        PredictionEvent read = ((Routed.PendingPrediction) back).event();
        assertThat(read.predictionId()).isEqualTo("p-1");
        assertThat(read.model()).isEqualTo("churn");
        assertThat(read.modelVersion()).isEqualTo("v7");
        assertThat(read.eventTime()).isEqualTo(1_764_000_000_000L);
        assertThat(read.prediction().asDouble()).isEqualTo(0.8);
        assertThat(((Routed.PendingPrediction) back).source().offset()).isEqualTo(41);
        assertThat(serde.serializer().serialize("t", p)[0]).as("binary since CONTRACT §9's state diet")
                .isEqualTo(PendingPredictionSerde.MARKER);
        // what earlier versions wrote is still read
        byte[] json = new JsonSerde<>(Routed.PendingPrediction.class).serializer().serialize("t", p);
        assertThat(((Routed.PendingPrediction) serde.deserializer().deserialize("t", json)).event().predictionId())
                .isEqualTo("p-1");
    }

    @Test
    void bytesThatAreNeitherAreAClearSerializationError() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {9, 9}))
                .isInstanceOf(SerializationException.class);
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }
}
