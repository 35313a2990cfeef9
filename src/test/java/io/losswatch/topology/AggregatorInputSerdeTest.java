package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.losswatch.loss.WindowStats;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The aggregator's one input topic carries the intake's binary partials and watermarks and the join's JSON contributions. */
class AggregatorInputSerdeTest {
    private final AggregatorInputSerde serde = new AggregatorInputSerde();

    private Routed roundTrip(Routed value) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }

    @Test
    void partialsAndWatermarksKeepTheIntakesFormAndContributionsTheJoinsJson() {
        WindowStats stats = new WindowStats();
        stats.addLoss("log_loss", 0.5, false);
        stats.addLoss("log_loss", 1.5, false);
        Routed.Partial partial = new Routed.Partial("churn", "v1", 1_764_000_000_000L, stats, "predictions", 2, 77, null,
                List.of());
        byte[] partialBytes = serde.serializer().serialize("t", partial);
        assertThat(partialBytes).isEqualTo(IntakeOutputSerde.write(partial));
        Routed.Partial readPartial = (Routed.Partial) roundTrip(partial);
        assertThat(readPartial.model()).isEqualTo("churn");
        assertThat(readPartial.windowStart()).isEqualTo(1_764_000_000_000L);
        assertThat(readPartial.stats().count).isEqualTo(2);
        assertThat(readPartial.stats().sum).isEqualTo(2.0);
        assertThat(readPartial.lastSourceOffset()).isEqualTo(77);

        Routed.Watermark w = new Routed.Watermark(1, 3, 1_764_000_060_000L, false);
        assertThat(roundTrip(w)).isEqualTo(w);

        WindowStats one = new WindowStats();
        one.addLoss("log_loss", 0.25, false);
        Routed.Contribution c = new Routed.Contribution("churn", "v1", 1_764_000_001_000L, one, "labels", 0, 5);
        byte[] json = new JsonSerde<>(Routed.Contribution.class).serializer().serialize("t", c);
        assertThat(serde.serializer().serialize("t", c)).as("as earlier versions wrote it on joined-by-model").isEqualTo(json);
        assertThat(json[0]).isEqualTo((byte) '{');
        Routed.Contribution back = (Routed.Contribution) serde.deserializer().deserialize("t", json);
        assertThat(back.model()).isEqualTo("churn");
        assertThat(back.eventTime()).isEqualTo(1_764_000_001_000L);
        assertThat(back.stats().sum).isEqualTo(0.25);
        assertThat(back.sourceOffset()).isEqualTo(5);
    }

    @Test
    void bytesOfNeitherKindAreAClearSerializationError() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {9, 9}))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", "{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RuntimeException.class);
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }
}
