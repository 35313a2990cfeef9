package io.losswatch.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.losswatch.topology.JsonSerde;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The alert-state store's binary form keeps every field; state written as JSON still reads. */
class AlertStateSerdeTest {
    private final AlertStateSerde serde = new AlertStateSerde();

    private AlertState roundTrip(AlertState s) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", s));
    }

    static AlertState learning() {
        return new AlertState(new AlertState.Baseline(37, 0.3121, 0.1681, 1.75, 1_234.5), 1, 0, null, 0, 0,
                new AlertState.Sequential(12.5, 40, 31.25, 1_764_000_030_000L),
                new AlertState.Batch(123, -4.5, 130.25, 611.0625));
    }

    static AlertState firing() {
        return learning().fire(Alert.SEQUENTIAL, 1_764_000_031_234L, 1_764_000_031_235L).withClears(2);
    }

    @Test
    void roundTripKeepsEveryField() {
        assertThat(roundTrip(learning())).isEqualTo(learning());
        assertThat(roundTrip(firing())).isEqualTo(firing());
        assertThat(roundTrip(firing()).firingRule()).isEqualTo("sequential_change");
        assertThat(roundTrip(AlertState.INITIAL)).isEqualTo(AlertState.INITIAL);
        AlertState special = new AlertState(new AlertState.Baseline(1, Double.NaN, Double.MIN_VALUE, -0.0),
                Integer.MAX_VALUE, 7, "ünïcode", Long.MIN_VALUE, Long.MAX_VALUE, AlertState.Sequential.ZERO,
                AlertState.Batch.EMPTY);
        assertThat(roundTrip(special)).isEqualTo(special);
    }

    @Test
    void nullPassesThroughAndTheFormIsCompact() {
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
        byte[] binary = serde.serializer().serialize("t", learning());
        byte[] json = new JsonSerde<>(AlertState.class).serializer().serialize("t", learning());
        assertThat(binary.length).isEqualTo(131).isLessThan(json.length / 2);
    }

    @Test
    void readsTheFirstBinaryFormWithoutTheTypicalWindowSize() {
        byte[] v2 = serde.serializer().serialize("t", learning());
        // version 1: the same layout without the baseline's events per window (8 bytes after 4 fields)
        byte[] v1 = new byte[v2.length - 8];
        System.arraycopy(v2, 0, v1, 0, 33);
        System.arraycopy(v2, 41, v1, 33, v2.length - 41);
        v1[0] = 1;
        AlertState read = serde.deserializer().deserialize("t", v1);
        AlertState.Baseline b = learning().baseline();
        assertThat(read.baseline()).isEqualTo(new AlertState.Baseline(b.windows(), b.mean(), b.eventVariance(), b.skewness()));
        assertThat(read.baseline().eventsPerWindow()).isZero();
        assertThat(read.sequential()).isEqualTo(learning().sequential());
        assertThat(read.batch()).isEqualTo(learning().batch());
    }

    @Test
    void readsTheJsonFormOfEarlierVersions() {
        byte[] json = new JsonSerde<>(AlertState.class).serializer().serialize("t", firing());
        assertThat(serde.deserializer().deserialize("t", json)).isEqualTo(firing());
    }

    @Test
    void rejectsWhatItCannotRead() {
        byte[] binary = serde.serializer().serialize("t", learning());
        binary[0] = 9;
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", binary)).isInstanceOf(SerializationException.class);
        byte[] truncated = java.util.Arrays.copyOf(serde.serializer().serialize("t", learning()), 50);
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", truncated))
                .isInstanceOf(SerializationException.class);
    }
}
