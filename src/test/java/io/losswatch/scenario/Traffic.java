package io.losswatch.scenario;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Deterministic test traffic for the integration scenarios, with its own oracle: the expected window
 * figures are computed here from ln(1/q) in BigDecimal sums, not by the application's code.
 *
 * <p>Predictions and labels are kept in event-time order, as a model emits them: windows close on
 * stream time, so a record appended after later ones (a window-0 prediction behind window-2 traffic
 * on its partition) would be a late event by the contract, not part of its window.
 */
public final class Traffic {
    public static final long T0 = 1_764_000_000_000L;
    public static final long MINUTE = 60_000;
    public static final double EPS = 1e-15;

    /** (model, version) pairs and the windows each gets labelled events in. */
    public static final String[][] MODELS = {{"churn", "v1"}, {"churn", "v2"}, {"fraud", ""}};

    public final String predictionsTopic;
    public final String labelsTopic;
    public final List<ProducerRecord<String, String>> predictions = new ArrayList<>();
    public final List<ProducerRecord<String, String>> labels = new ArrayList<>();
    /** Expected per "model|version|windowStart": the labelled losses in it. */
    public final Map<String, List<Double>> expectedLosses = new LinkedHashMap<>();
    public final Map<String, Integer> expectedUnlabelled = new LinkedHashMap<>();
    public int expectedLossRecords;
    /** The prediction_id of every expected loss record, in the order the predictions were generated. */
    public final List<String> expectedLossIds = new ArrayList<>();

    public Traffic(String predictionsTopic, String labelsTopic) {
        this.predictionsTopic = predictionsTopic;
        this.labelsTopic = labelsTopic;
    }

    /** perWindow labelled predictions per model and window, for windows [firstWindow, lastWindow]. */
    public Traffic labelled(int firstWindow, int lastWindow, int perWindow, long seed) {
        Random random = new Random(seed);
        for (int w = firstWindow; w <= lastWindow; w++) {
            for (String[] mv : MODELS) {
                for (int i = 0; i < perWindow; i++) {
                    long t = T0 + w * MINUTE + i * (50_000L / perWindow);
                    double p = Math.round((0.01 + 0.98 * random.nextDouble()) * 1000) / 1000.0;
                    int y = random.nextDouble() < p ? 1 : 0;
                    String id = mv[0] + "-" + mv[1] + "-" + w + "-" + i;
                    addInOrder(predictions, prediction(mv[0], String.format(
                            "{\"prediction_id\":\"%s\",\"model\":\"%s\",\"model_version\":\"%s\",\"timestamp\":%d,"
                                    + "\"prediction\":%s,\"label\":%d}", id, mv[0], mv[1], t, p, y), t));
                    expect(mv[0], mv[1], w, p, y);
                    expectedLossIds.add(id);
                }
            }
        }
        return this;
    }

    /** n predictions of churn/v1 in window w whose labels come delaySeconds later on the labels topic. */
    public Traffic separatelyLabelled(int w, int n, int delaySeconds) {
        for (int i = 0; i < n; i++) {
            long t = T0 + w * MINUTE + 50_000 + i * 1_000L;
            double p = 0.25 + 0.1 * i;
            int y = i % 2;
            String id = "sep-" + w + "-" + i;
            addInOrder(predictions, prediction("churn", String.format(
                    "{\"prediction_id\":\"%s\",\"model\":\"churn\",\"model_version\":\"v1\",\"timestamp\":%d,"
                            + "\"prediction\":%s}", id, t, p), t));
            long lt = t + delaySeconds * 1000L;
            addInOrder(labels, new ProducerRecord<>(labelsTopic, null, lt, id,
                    String.format("{\"prediction_id\":\"%s\",\"label\":%d,\"timestamp\":%d}", id, y, lt)));
            expect("churn", "v1", w, p, y);
            expectedLossIds.add(id);
        }
        return this;
    }

    /** A fraud prediction in window w that never gets a label. */
    public Traffic neverLabelled(int w) {
        long t = T0 + w * MINUTE + 1_000;
        addInOrder(predictions, prediction("fraud", String.format(
                "{\"prediction_id\":\"never-%d\",\"model\":\"fraud\",\"timestamp\":%d,\"prediction\":0.4}", w, t), t));
        expectedUnlabelled.merge(key("fraud", "", T0 + w * MINUTE), 1, Integer::sum);
        return this;
    }

    /** Inserts r after every record with an event time at or before its own. */
    private static void addInOrder(List<ProducerRecord<String, String>> records, ProducerRecord<String, String> r) {
        int i = records.size();
        while (i > 0 && records.get(i - 1).timestamp() > r.timestamp()) {
            i--;
        }
        records.add(i, r);
    }

    private ProducerRecord<String, String> prediction(String model, String json, long t) {
        // keyed by model: one model's records stay in order on one input partition
        return new ProducerRecord<>(predictionsTopic, null, t, model, json);
    }

    private void expect(String model, String version, int w, double p, int y) {
        double q = Math.min(Math.max(y == 1 ? p : 1 - p, EPS), 1 - EPS);
        expectedLosses.computeIfAbsent(key(model, version, T0 + w * MINUTE), k -> new ArrayList<>())
                .add(Math.log(1 / q));
        expectedLossRecords++;
    }

    public static String key(String model, String version, long windowStart) {
        return model + "|" + version + "|" + windowStart;
    }

    /** Records that move event time to t for every model (and every join partition, via labels). */
    public List<ProducerRecord<String, String>> clockPredictions(long t) {
        List<ProducerRecord<String, String>> out = new ArrayList<>();
        for (String[] mv : MODELS) {
            out.add(prediction(mv[0], String.format("{\"prediction_id\":\"clock-%s-%s\",\"model\":\"%s\","
                    + "\"model_version\":\"%s\",\"timestamp\":%d,\"prediction\":0.5,\"label\":1}", mv[0], mv[1], mv[0], mv[1], t), t));
        }
        return out;
    }

    public List<ProducerRecord<String, String>> clockLabels(long t) {
        List<ProducerRecord<String, String>> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            out.add(new ProducerRecord<>(labelsTopic, null, t, "tick-" + i,
                    String.format("{\"prediction_id\":\"tick-%d\",\"label\":1,\"timestamp\":%d}", i, t)));
        }
        return out;
    }

    public static double mean(List<Double> losses) {
        BigDecimal sum = BigDecimal.ZERO;
        for (double l : losses) {
            sum = sum.add(new BigDecimal(l));
        }
        return sum.divide(new BigDecimal(losses.size()), MathContext.DECIMAL128).doubleValue();
    }

    public static double populationStddev(List<Double> losses) {
        double mean = mean(losses);
        BigDecimal squares = BigDecimal.ZERO;
        for (double l : losses) {
            BigDecimal d = new BigDecimal(l).subtract(new BigDecimal(mean));
            squares = squares.add(d.multiply(d));
        }
        return Math.sqrt(squares.divide(new BigDecimal(losses.size()), MathContext.DECIMAL128).doubleValue());
    }
}
