package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.loss.WindowStats;
import org.junit.jupiter.api.Test;

/** The binary store format keeps every field, and state written as JSON by earlier versions still reads. */
class WindowStatsSerdeTest {
    private final WindowStatsSerde serde = new WindowStatsSerde();

    private static WindowStats sample() {
        WindowStats s = new WindowStats();
        s.addLoss("log_loss", 0.25, false);
        s.addLoss("log_loss", 34.5, true);
        s.addLoss("log_loss", 0.75, false);
        s.addLossTime(1_764_000_000_000L);
        s.addLossTime(1_764_000_059_999L);
        s.addBinary(0.93, 1);
        s.addBinary(0.02, 1);
        s.addLabelDelay(1_500);
        s.unlabelled = 3;
        s.pending = -2;
        return s;
    }

    @Test
    void roundTripKeepsEveryField() {
        WindowStats s = sample();
        WindowStats back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", s));
        assertThat(back).usingRecursiveComparison().isEqualTo(s);
    }

    @Test
    void emptyStatsAndNullRoundTrip() {
        WindowStats empty = new WindowStats();
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", empty)))
                .usingRecursiveComparison().isEqualTo(empty);
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void readsTheJsonFormOfEarlierVersions() {
        WindowStats s = sample();
        byte[] json = new JsonSerde<>(WindowStats.class).serializer().serialize("t", s);
        assertThat(serde.deserializer().deserialize("t", json)).usingRecursiveComparison().isEqualTo(s);
    }
}
