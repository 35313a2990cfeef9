package io.losswatch.replay;

import io.losswatch.topology.PipelineListener;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one replay read, fed and printed, for its summary; the topology reports its part as a listener, from
 * both of the driver's threads (so those counts are synchronized; the rest each belongs to one thread).
 */
final class ReplayCounts implements PipelineListener {
    long predictionsRead;
    long labelsRead;
    long predictionsOutside;
    long labelsOutside;
    long metrics;
    long predictionMetrics;
    final Map<String, Long> deadLetters = new TreeMap<>();
    final Map<String, Long> skipped = new TreeMap<>();
    /** FIRING alerts printed, by rule, with the model and window each was about. */
    final Map<String, java.util.List<Firing>> firing = new TreeMap<>();

    /** A FIRING alert: its model and window start. */
    record Firing(String model, long windowStart) {
    }
    long resolved;
    /** CPU time of the replay's threads: reading the input, the intake, the rest of the topology (0 when unknown). */
    long cpuReading;
    long cpuIntake;
    long cpuAggregation;

    void read(boolean predictions) {
        if (predictions) {
            predictionsRead++;
        } else {
            labelsRead++;
        }
    }

    void outsideRange(boolean predictions) {
        if (predictions) {
            predictionsOutside++;
        } else {
            labelsOutside++;
        }
    }

    long fed() {
        return predictionsRead + labelsRead - predictionsOutside - labelsOutside;
    }

    @Override
    public synchronized void deadLetter(String reason) {
        deadLetters.merge(reason, 1L, Long::sum);
    }

    @Override
    public synchronized void inputSkipped(String topic, String reason) {
        skipped.merge(reason, 1L, Long::sum);
    }
}
