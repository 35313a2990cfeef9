package io.losswatch.replay;

import io.losswatch.topology.PipelineListener;
import java.util.Map;
import java.util.TreeMap;

/** What one replay read, fed and printed, for its summary; the topology reports its part as a listener. */
final class ReplayCounts implements PipelineListener {
    long predictionsRead;
    long labelsRead;
    long predictionsOutside;
    long labelsOutside;
    long metrics;
    long predictionMetrics;
    final Map<String, Long> deadLetters = new TreeMap<>();
    final Map<String, Long> skipped = new TreeMap<>();
    /** FIRING alerts printed, by rule, with the windows they were about (rule → window starts). */
    final Map<String, java.util.List<Long>> firing = new TreeMap<>();
    long resolved;

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
    public void deadLetter(String reason) {
        deadLetters.merge(reason, 1L, Long::sum);
    }

    @Override
    public void inputSkipped(String topic, String reason) {
        skipped.merge(reason, 1L, Long::sum);
    }
}
