package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.loss.WindowStats;
import io.losswatch.topology.Routed.IntakeOutput;
import io.losswatch.topology.Routed.Partial;
import io.losswatch.topology.Routed.Watermark;
import org.junit.jupiter.api.Test;

/** Partials and watermarks survive the repartition topic's binary form, and the older JSON form still reads. */
class IntakeOutputSerdeTest {
    private final IntakeOutputSerde serde = new IntakeOutputSerde();

    private IntakeOutput roundTrip(IntakeOutput value) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }

    private static Partial partial() {
        WindowStats stats = new WindowStats();
        stats.addLoss("log_loss", 0.07, false);
        stats.addBinary(0.93, 1);
        stats.pending = 2;
        return new Partial("churn-ü", "v7", 1_764_000_000_000L, stats, "predictions", 2, 41L);
    }

    @Test
    void partialRoundTrips() {
        assertThat(roundTrip(partial())).usingRecursiveComparison().isEqualTo(partial());
    }

    @Test
    void watermarkRoundTrips() {
        assertThat(roundTrip(new Watermark(1, 3, 1_764_000_070_000L, true))).isEqualTo(new Watermark(1, 3, 1_764_000_070_000L, true));
        assertThat(roundTrip(new Watermark(0, 1, -1, false))).isEqualTo(new Watermark(0, 1, -1, false));
    }

    @Test
    void readsTheJsonFormOfEarlierVersions() {
        JsonSerde<IntakeOutput> json = new JsonSerde<>(IntakeOutput.class);
        assertThat(serde.deserializer().deserialize("t", json.serializer().serialize("t", partial())))
                .usingRecursiveComparison().isEqualTo(partial());
        Watermark w = new Watermark(2, 3, 5L, false);
        assertThat(serde.deserializer().deserialize("t", json.serializer().serialize("t", w))).isEqualTo(w);
    }
}
