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

    /**
     * The envelopes of forms 1, 5 and 6 are the bytes 20e1a49 wrote (hex printed by that build), around each
     * {@link WindowStats} as this version writes it: an instance reading the topic needs only the stats' form.
     */
    @Test
    void theEnvelopesAreTheBytesThePreviousVersionWrote() {
        java.util.HexFormat hex = java.util.HexFormat.of();
        WindowStats s = new WindowStats();
        s.addLoss("mae", 0.25, false);
        WindowStats seg = new WindowStats();
        seg.addLoss("mae", 0.5, true);
        String stats = hex.formatHex(WindowStatsSerde.write(s));
        String segStats = hex.formatHex(WindowStatsSerde.write(seg));
        String head = "00000005636875726e0000000276310000019ab697e8000000000b70726564696374696f6e7300000002000000000000004d";
        io.losswatch.event.Segment de = new io.losswatch.event.Segment("country", "DE");
        assertThat(hex.formatHex(IntakeOutputSerde.write(new Partial("churn", "v1", 1764000000000L, s, "predictions", 2, 77))))
                .isEqualTo("01" + head + stats);
        assertThat(hex.formatHex(IntakeOutputSerde.write(new Partial("churn", "v1", 1764000000000L, seg, "predictions", 2, 77,
                de)))).isEqualTo("05" + head + "00000007636f756e747279000000024445" + segStats);
        assertThat(hex.formatHex(IntakeOutputSerde.write(new Partial("churn", "v1", 1764000000000L, s, "predictions", 2, 77, null,
                java.util.List.of(new Routed.SegmentStats(de, seg), new Routed.SegmentStats(
                        new io.losswatch.event.Segment("device", ""), seg))))))
                .isEqualTo("06" + head + stats + "0000000200000007636f756e747279000000024445" + segStats
                        + "0000000664657669636500000000" + segStats);
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
