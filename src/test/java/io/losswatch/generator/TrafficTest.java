package io.losswatch.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.generator.Traffic.Kind;
import io.losswatch.generator.Traffic.Outgoing;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The generator's traffic as a pure function of its options: no clock, no broker. */
class TrafficTest {
    static final long T0 = 1_764_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    static GeneratorOptions options(int models, double rate, Duration duration, Duration labelDelay, double unlabelled,
                                    Duration driftStart, Duration driftRamp, double driftSize, double malformed, long seed) {
        return new GeneratorOptions(models, rate, Optional.of(duration), labelDelay, unlabelled, driftStart, driftRamp,
                driftSize, malformed, seed, "predictions", "labels");
    }

    static GeneratorOptions typical(long seed) {
        return options(4, 50, Duration.ofMinutes(2), Duration.ofSeconds(10), 0.02, Duration.ofMinutes(1),
                Duration.ZERO, 0.5, 0.02, seed);
    }

    /** Everything the traffic sends, polled every stepMs of simulated time until it is over. */
    static List<Outgoing> drain(Traffic traffic, long stepMs) {
        List<Outgoing> all = new ArrayList<>();
        long now = traffic.startMs();
        while (!traffic.finished()) {
            all.addAll(traffic.poll(now));
            now += stepMs;
        }
        return all;
    }

    static JsonNode json(Outgoing o) {
        try {
            return JSON.readTree(o.value());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + o.value(), e);
        }
    }

    @Test
    void theSameSeedAndStartGiveTheSameRecordsHoweverOftenItIsPolled() {
        List<Outgoing> fine = drain(new Traffic(typical(7), T0), 7);
        List<Outgoing> coarse = drain(new Traffic(typical(7), T0), 5_000);
        assertThat(coarse).isEqualTo(fine);
        assertThat(drain(new Traffic(typical(8), T0), 5_000)).isNotEqualTo(fine);
    }

    @Test
    void rateAndDurationFixTheNumberAndSpacingOfRecords() {
        GeneratorOptions o = options(3, 20, Duration.ofSeconds(30), Duration.ofSeconds(5), 0, Duration.ZERO,
                Duration.ZERO, 0, 0.1, 1);
        List<Outgoing> all = drain(new Traffic(o, T0), 100);
        // every slot is one record: a prediction or a malformed record (an orphan label takes a slot too)
        List<Outgoing> slots = all.stream().filter(r -> r.kind() != Kind.LABEL).toList();
        assertThat(slots).hasSize(20 * 30);
        for (int i = 0; i < slots.size(); i++) {
            assertThat(slots.get(i).timestamp()).isEqualTo(T0 + i * 50L);
        }
        assertThat(all).allSatisfy(r -> assertThat(r.timestamp()).isLessThan(T0 + 30_000 + 5_000));
    }

    @Test
    void recordsComeWhenDueAndNotBefore() {
        Traffic traffic = new Traffic(typical(3), T0);
        long now = T0;
        while (!traffic.finished()) {
            long due = traffic.nextDueMs();
            assertThat(traffic.poll(due - 1)).as("nothing before it is due").isEmpty();
            List<Outgoing> batch = traffic.poll(due + 250);
            assertThat(batch).isNotEmpty().allSatisfy(r -> assertThat(r.timestamp()).isBetween(due, due + 250));
            now = due + 250;
        }
        assertThat(now).isGreaterThan(T0 + Duration.ofMinutes(2).toMillis());
        assertThat(traffic.nextDueMs()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void someModelsLabelInlineAndTheOthersLaterWithinTheLabelDelay() {
        GeneratorOptions o = options(4, 100, Duration.ofMinutes(5), Duration.ofSeconds(8), 0.1, Duration.ZERO,
                Duration.ZERO, 0, 0, 11);
        Traffic traffic = new Traffic(o, T0);
        List<Outgoing> all = drain(traffic, 1_000);
        Map<String, Boolean> inline = new HashMap<>();
        traffic.models().forEach(m -> inline.put(m.name(), m.labelsInline()));
        assertThat(inline.values()).contains(true, false);

        Map<String, Long> predictedAt = new HashMap<>();
        int separate = 0;
        for (Outgoing r : all.stream().filter(r -> r.kind() == Kind.PREDICTION).toList()) {
            JsonNode p = json(r);
            assertThat(r.topic()).isEqualTo("predictions");
            assertThat(r.key()).isEqualTo(p.get("prediction_id").asText());
            assertThat(p.get("timestamp").asLong()).isEqualTo(r.timestamp());
            double score = p.get("prediction").asDouble();
            assertThat(score).isBetween(0.0, 1.0);
            assertThat(p.has("label")).isEqualTo(inline.get(p.get("model").asText()));
            if (!p.has("label")) {
                separate++;
                predictedAt.put(p.get("prediction_id").asText(), r.timestamp());
            }
        }
        List<Outgoing> labels = all.stream().filter(r -> r.kind() == Kind.LABEL).toList();
        for (Outgoing r : labels) {
            JsonNode l = json(r);
            assertThat(r.topic()).isEqualTo("labels");
            Long predicted = predictedAt.get(l.get("prediction_id").asText());
            assertThat(predicted).as("a label refers to a prediction without one").isNotNull();
            assertThat(r.timestamp() - predicted).isBetween(0L, 8_000L);
            assertThat(l.get("label").asInt()).isIn(0, 1);
        }
        assertThat(labels.stream().map(r -> json(r).get("prediction_id").asText()).distinct()).hasSize(labels.size());
        assertThat(1.0 - (double) labels.size() / separate).as("unlabelled share").isCloseTo(0.1, within(0.02));
        // labels come over the whole delay, not all at once
        assertThat(labels.stream().mapToLong(r -> r.timestamp() - predictedAt.get(json(r).get("prediction_id").asText()))
                .max().orElseThrow()).isGreaterThan(7_000L);
    }

    @Test
    void theFirstModelsLogLossRisesByTheDriftSizeAfterTheDriftStarts() {
        GeneratorOptions o = options(3, 300, Duration.ofMinutes(6), Duration.ZERO, 0, Duration.ofMinutes(2),
                Duration.ofMinutes(1), 0.7, 0, 5);
        Traffic traffic = new Traffic(o, T0);
        Map<String, double[]> before = new HashMap<>();
        Map<String, double[]> after = new HashMap<>();
        Map<String, double[]> during = new HashMap<>();
        // join each prediction to its label, inline or separate
        Map<String, JsonNode> waiting = new HashMap<>();
        List<JsonNode[]> labelled = new ArrayList<>();
        for (Outgoing r : drain(traffic, 1_000)) {
            JsonNode v = json(r);
            if (r.kind() == Kind.PREDICTION && v.has("label")) {
                labelled.add(new JsonNode[] {v, v.get("label")});
            } else if (r.kind() == Kind.PREDICTION) {
                waiting.put(v.get("prediction_id").asText(), v);
            } else if (r.kind() == Kind.LABEL) {
                labelled.add(new JsonNode[] {waiting.remove(v.get("prediction_id").asText()), v.get("label")});
            }
        }
        for (JsonNode[] pair : labelled) {
            JsonNode p = pair[0];
            long t = p.get("timestamp").asLong() - T0;
            Map<String, double[]> bucket = t < 120_000 ? before : t >= 180_000 ? after : during;
            double[] sum = bucket.computeIfAbsent(p.get("model").asText(), k -> new double[2]);
            sum[0] += logLoss(p.get("prediction").asDouble(), pair[1].asInt());
            sum[1]++;
        }
        Traffic.ModelInfo drifting = traffic.models().get(0);
        assertThat(drifting.drifts()).isTrue();
        assertThat(drifting.driftedLogLoss() - drifting.expectedLogLoss()).isCloseTo(0.7, within(0.01));
        assertThat(mean(before, drifting.name())).isCloseTo(drifting.expectedLogLoss(), within(0.05));
        assertThat(mean(after, drifting.name()) - mean(before, drifting.name())).isCloseTo(0.7, within(0.1));
        assertThat(mean(during, drifting.name())).as("the ramp is in between")
                .isBetween(mean(before, drifting.name()), mean(after, drifting.name()));
        for (Traffic.ModelInfo m : traffic.models().subList(1, 3)) {
            assertThat(m.drifts()).isFalse();
            assertThat(mean(after, m.name()) - mean(before, m.name())).as(m.name() + " does not drift")
                    .isCloseTo(0, within(0.07));
            assertThat(m.expectedLogLoss()).as("a realistic classifier").isBetween(0.2, 0.65);
        }
    }

    @Test
    void noDriftWhenTheSizeIsZero() {
        Traffic traffic = new Traffic(options(2, 10, Duration.ofMinutes(1), Duration.ZERO, 0, Duration.ZERO,
                Duration.ZERO, 0, 0, 1), T0);
        assertThat(traffic.models()).noneMatch(Traffic.ModelInfo::drifts);
        assertThat(traffic.driftAlphaAt(T0 + 60_000)).isZero();
    }

    @Test
    void aShareOfRecordsIsMalformedInEachOfTheKinds() {
        GeneratorOptions o = options(4, 100, Duration.ofMinutes(3), Duration.ofSeconds(5), 0, Duration.ZERO,
                Duration.ZERO, 0, 0.05, 9);
        List<Outgoing> all = drain(new Traffic(o, T0), 1_000);
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        all.forEach(r -> counts.merge(r.kind(), 1, Integer::sum));
        int slots = all.size() - counts.getOrDefault(Kind.LABEL, 0);
        int malformed = slots - counts.get(Kind.PREDICTION);
        assertThat((double) malformed / slots).isCloseTo(0.05, within(0.01));
        for (Kind kind : List.of(Kind.INVALID_JSON, Kind.OUT_OF_RANGE, Kind.MISSING_FIELD, Kind.UNMATCHED_LABEL)) {
            assertThat(counts.getOrDefault(kind, 0)).as(kind.name()).isGreaterThan(malformed / 8);
            assertThat(kind.reason()).isEqualTo(kind.name().toLowerCase(java.util.Locale.ROOT));
        }
        for (Outgoing r : all) {
            switch (r.kind()) {
                case INVALID_JSON -> assertThatThrownBy(() -> JSON.readTree(r.value())).isInstanceOf(IOException.class);
                case OUT_OF_RANGE -> assertThat(json(r).get("prediction").asDouble()).isGreaterThan(1.0);
                case MISSING_FIELD -> assertThat(json(r).has("model")).isFalse();
                case UNMATCHED_LABEL -> assertThat(r.topic()).isEqualTo("labels");
                default -> { }
            }
        }
        assertThat(drain(new Traffic(options(4, 100, Duration.ofSeconds(30), Duration.ZERO, 0, Duration.ZERO,
                Duration.ZERO, 0, 0, 9), T0), 1_000)).noneMatch(r -> r.kind().malformed());
    }

    @Test
    void manyModelsGetDistinctNames() {
        Traffic traffic = new Traffic(options(12, 10, Duration.ofSeconds(1), Duration.ZERO, 0, Duration.ZERO,
                Duration.ZERO, 0, 0, 1), T0);
        assertThat(traffic.models()).extracting(Traffic.ModelInfo::name).doesNotHaveDuplicates().hasSize(12)
                .contains("churn", "model-12");
    }

    @Test
    void badOptionsNameTheOptionAndWhatIsExpected() {
        assertThatThrownBy(() -> options(0, 10, Duration.ofSeconds(1), Duration.ZERO, 0, Duration.ZERO, Duration.ZERO,
                0, 0, 1)).hasMessage("--models=0: expected from 1 to 100");
        assertThatThrownBy(() -> options(1, 0, Duration.ofSeconds(1), Duration.ZERO, 0, Duration.ZERO, Duration.ZERO,
                0, 0, 1)).hasMessageStartingWith("--rate=0.0: expected");
        assertThatThrownBy(() -> options(1, 1, Duration.ZERO, Duration.ZERO, 0, Duration.ZERO, Duration.ZERO,
                0, 0, 1)).hasMessageStartingWith("--duration=PT0S");
        assertThatThrownBy(() -> options(1, 1, Duration.ofSeconds(1), Duration.ofSeconds(-1), 0, Duration.ZERO,
                Duration.ZERO, 0, 0, 1)).hasMessageStartingWith("--label-delay=");
        assertThatThrownBy(() -> options(1, 1, Duration.ofSeconds(1), Duration.ZERO, 0, Duration.ZERO, Duration.ZERO,
                -1, 0, 1)).hasMessageStartingWith("--drift-size=");
        assertThatThrownBy(() -> options(1, 1, Duration.ofSeconds(1), Duration.ZERO, 0, Duration.ZERO, Duration.ZERO,
                0, 1.5, 1)).hasMessageStartingWith("--malformed-share=1.5");
    }

    static GeneratorOptions withLateModel(GeneratorOptions o, LateModel late) {
        return new GeneratorOptions(o.models(), o.rate(), o.duration(), o.labelDelay(), o.unlabelledShare(),
                o.driftStart(), o.driftRamp(), o.driftSize(), o.malformedShare(), o.seed(), o.predictionsTopic(),
                o.labelsTopic(), Optional.of(late));
    }

    @Test
    void theLateModelLeavesTheOtherModelsTrafficAsItWas() {
        LateModel late = new LateModel(Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofMinutes(1),
                Duration.ZERO, 0.3);
        List<Outgoing> without = drain(new Traffic(typical(7), T0), 1_000);
        Traffic traffic = new Traffic(withLateModel(typical(7), late), T0);
        List<Outgoing> with = drain(traffic, 1_000);
        assertThat(with.stream().filter(r -> !LateModel.NAME.equals(r.model())).toList()).isEqualTo(without);
        assertThat(traffic.models()).extracting(Traffic.ModelInfo::name).hasSize(5).endsWith(LateModel.NAME);
        // the same records however often it is polled
        assertThat(drain(new Traffic(withLateModel(typical(7), late), T0), 7)).isEqualTo(with);
    }

    @Test
    void theLateModelsLabelsComeWithinItsDelayAndItsLossRisesByTheShiftSizeAsItsScoresMoveToTheMiddle() {
        LateModel late = new LateModel(Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofMinutes(3),
                Duration.ofMinutes(1), 0.25);
        GeneratorOptions o = withLateModel(options(2, 200, Duration.ofMinutes(8), Duration.ofSeconds(5), 0.02,
                Duration.ofMinutes(100), Duration.ZERO, 0, 0.05, 3), late);
        Traffic traffic = new Traffic(o, T0);
        Map<String, Outgoing> predicted = new HashMap<>();
        double[] before = new double[4];
        double[] after = new double[4];
        int labels = 0;
        int predictions = 0;
        for (Outgoing r : drain(traffic, 1_000)) {
            if (!LateModel.NAME.equals(r.model())) {
                continue;
            }
            assertThat(r.kind()).as("never malformed").isIn(Kind.PREDICTION, Kind.LABEL);
            if (r.kind() == Kind.PREDICTION) {
                predictions++;
                assertThat(json(r).has("label")).isFalse();
                predicted.put(r.key(), r);
                continue;
            }
            labels++;
            Outgoing p = predicted.get(r.key());
            assertThat(r.timestamp() - p.timestamp()).isBetween(120_000L, 180_000L);
            double score = json(p).get("prediction").asDouble();
            long t = p.timestamp() - T0;
            double[] bucket = t < 180_000 ? before : t >= 240_000 ? after : null;
            if (bucket != null) {
                bucket[0] += logLoss(score, json(r).get("label").asInt());
                bucket[1] += Math.abs(score - 0.5);
                bucket[2]++;
            }
        }
        assertThat(predictions).as("one model's share of the rate").isCloseTo(100 * 480, within(2));
        assertThat(1.0 - (double) labels / predictions).as("unlabelled share").isCloseTo(0.02, within(0.01));
        Traffic.ModelInfo info = traffic.models().get(2);
        assertThat(info.name()).isEqualTo(LateModel.NAME);
        assertThat(info.shifts()).isTrue();
        assertThat(info.drifts()).isFalse();
        assertThat(info.driftedLogLoss() - info.expectedLogLoss()).isCloseTo(0.25, within(0.01));
        assertThat(before[0] / before[2]).isCloseTo(info.expectedLogLoss(), within(0.04));
        assertThat(after[0] / after[2] - before[0] / before[2]).as("the rise").isCloseTo(0.25, within(0.06));
        assertThat(after[1] / after[2]).as("scores nearer the middle").isLessThan(before[1] / before[2] - 0.05);
        assertThat(traffic.hardShareAt(T0 + 150_000)).isZero();
        assertThat(traffic.hardShareAt(T0 + 210_000)).isCloseTo(traffic.hardShareAt(T0 + 300_000) / 2, within(1e-9));
    }

    @Test
    void badLateModelOptionsNameTheOption() {
        assertThatThrownBy(() -> new LateModel(Duration.ofMinutes(3), Duration.ofMinutes(2), Duration.ZERO,
                Duration.ZERO, 0.2)).hasMessageStartingWith("--late-label-delay-max=PT2M: expected a longest delay");
        assertThatThrownBy(() -> new LateModel(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, -1))
                .hasMessageStartingWith("--shift-size=");
    }

    static double logLoss(double p, int y) {
        double q = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
        return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    }

    private static double mean(Map<String, double[]> sums, String model) {
        double[] s = sums.get(model);
        return s[0] / s[1];
    }
}
