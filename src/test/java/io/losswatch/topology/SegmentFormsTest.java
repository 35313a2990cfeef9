package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.event.PredictionEvent;
import io.losswatch.event.Segment;
import io.losswatch.loss.WindowStats;
import io.losswatch.topology.Routed.PendingPrediction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

/**
 * The stored and shuffled forms segments (CONTRACT §11) change: a whole model's keep the bytes earlier
 * versions wrote and read, a segment's are a form of their own that reads back whole.
 */
class SegmentFormsTest {
    private static final Segment DE = new Segment("country", "DE");

    @Test
    void aWholeModelsKeysAreTheFormEarlierVersionsWrote() {
        byte[] m = "churn".getBytes(StandardCharsets.UTF_8);
        byte[] v = "v7".getBytes(StandardCharsets.UTF_8);
        // start (8 bytes), model length, model, version: as WindowAggregator.windowKey wrote them before
        byte[] old = ByteBuffer.allocate(8 + 4 + 5 + 2).putLong(1_764_000_000_000L).putInt(5).put(m).put(v).array();
        assertThat(SeriesKey.windowKey(1_764_000_000_000L, "churn", "v7", null)).isEqualTo(Bytes.wrap(old));
        byte[] oldState = ByteBuffer.allocate(4 + 5 + 2).putInt(5).put(m).put(v).array();
        assertThat(new SeriesKey("churn", "v7", null).bytes()).isEqualTo(Bytes.wrap(oldState));
        assertThat(SeriesKey.readWindow(Bytes.wrap(old))).isEqualTo(
                new SeriesKey.Window(1_764_000_000_000L, new SeriesKey("churn", "v7", null)));
    }

    @Test
    void aSegmentsKeysReadBackAndDifferFromTheModels() {
        SeriesKey s = new SeriesKey("churn", "v7", new Segment("country", ""));
        assertThat(SeriesKey.read(s.bytes())).isEqualTo(s);
        assertThat(SeriesKey.readWindow(s.window(60_000))).isEqualTo(new SeriesKey.Window(60_000, s));
        // the model "churn" with version "v7country" must not be the segment's key
        assertThat(s.bytes()).isNotEqualTo(new SeriesKey("churn", "v7country", null).bytes());
        assertThat(s.bytes().get()[0] & 0x80).as("the model length's top bit").isEqualTo(0x80);
    }

    @Test
    void aSegmentsPartialTravelsWithItsSegmentAndAModelsInTheOldForm() {
        WindowStats stats = new WindowStats();
        stats.addLoss("log_loss", 0.25, false);
        Routed.Partial segment = new Routed.Partial("churn", "v7", 60_000, stats, "predictions", 1, 42, DE);
        byte[] bytes = IntakeOutputSerde.write(segment);
        assertThat(bytes[0]).isEqualTo((byte) 5);
        Routed.Partial back = (Routed.Partial) IntakeOutputSerde.read(ByteBuffer.wrap(bytes));
        assertThat(back.segment()).isEqualTo(DE);
        assertThat(back.stats().count).isEqualTo(1);
        assertThat(back.lastSourceOffset()).isEqualTo(42);
        byte[] whole = IntakeOutputSerde.write(new Routed.Partial("churn", "v7", 60_000, stats, "predictions", 1, 42));
        assertThat(whole[0]).isEqualTo((byte) 1);
        assertThat(((Routed.Partial) IntakeOutputSerde.read(ByteBuffer.wrap(whole))).segment()).isNull();
    }

    @Test
    void aModelsPartialCarriesItsSegmentsPartialsInOneRecordAndReadsBackWhole() {
        WindowStats whole = new WindowStats();
        whole.addLoss("log_loss", 0.25, false);
        whole.addLoss("log_loss", 1.25, false);
        WindowStats de = new WindowStats();
        de.addLoss("log_loss", 0.25, false);
        WindowStats fr = new WindowStats();
        fr.addLoss("log_loss", 1.25, false);
        fr.pending = 3;
        Segment mobile = new Segment("device", "");
        Routed.Partial p = new Routed.Partial("churn", "v7", 60_000, whole, "predictions", 1, 42, null,
                List.of(new Routed.SegmentStats(DE, de), new Routed.SegmentStats(new Segment("country", "FR"), fr),
                        new Routed.SegmentStats(mobile, whole)));
        byte[] bytes = IntakeOutputSerde.write(p);
        assertThat(bytes[0]).isEqualTo((byte) 6);
        Routed.Partial back = (Routed.Partial) IntakeOutputSerde.read(ByteBuffer.wrap(bytes));
        assertThat(back.model()).isEqualTo("churn");
        assertThat(back.modelVersion()).isEqualTo("v7");
        assertThat(back.windowStart()).isEqualTo(60_000);
        assertThat(back.sourceTopic()).isEqualTo("predictions");
        assertThat(back.sourcePartition()).isEqualTo(1);
        assertThat(back.lastSourceOffset()).isEqualTo(42);
        assertThat(back.segment()).isNull();
        assertThat(back.stats().count).isEqualTo(2);
        assertThat(back.stats().sum).isEqualTo(1.5);
        assertThat(back.segments()).extracting(Routed.SegmentStats::segment)
                .containsExactly(DE, new Segment("country", "FR"), mobile);
        assertThat(back.segments().get(0).stats().sum).isEqualTo(0.25);
        assertThat(back.segments().get(1).stats().sum).isEqualTo(1.25);
        assertThat(back.segments().get(1).stats().pending).isEqualTo(3);
        assertThat(back.segments().get(2).stats().count).isEqualTo(2);
        // every byte is read: the next record's would otherwise start inside this one
        ByteBuffer b = ByteBuffer.wrap(bytes);
        IntakeOutputSerde.read(b);
        assertThat(b.remaining()).isZero();
        // a partial without segment values keeps the form earlier versions read
        assertThat(IntakeOutputSerde.write(new Routed.Partial("churn", "v7", 60_000, whole, "predictions", 1, 42,
                null, List.of()))[0]).isEqualTo((byte) 1);
    }

    @Test
    void aPendingPredictionKeepsItsSegmentValuesAndOneWithoutTheOldForm() {
        PendingPrediction typical = PendingPredictionSerdeTest.typical();
        PendingPrediction p = new PendingPrediction(typical.event().withSegments(
                List.of(DE, new Segment("device", ""))), typical.source(), true);
        byte[] bytes = new PendingPredictionSerde().serializer().serialize("t", p);
        assertThat(bytes[0]).isEqualTo(PendingPredictionSerde.MARKER_SEGMENTS);
        PredictionEvent back = new PendingPredictionSerde().deserializer().deserialize("t", bytes).event();
        assertThat(back).isEqualTo(p.event());
        assertThat(back.segments()).containsExactly(DE, new Segment("device", ""));
        PendingPrediction shuffled = (PendingPrediction) new PredictionsByIdSerde().deserializer().deserialize("t", bytes);
        assertThat(shuffled.event()).isEqualTo(p.event());
        assertThat(shuffled.source().value()).isEqualTo(p.source().value());
        assertThat(new PendingPredictionSerde().serializer().serialize("t", typical)[0])
                .isEqualTo(PendingPredictionSerde.MARKER);
    }
}
