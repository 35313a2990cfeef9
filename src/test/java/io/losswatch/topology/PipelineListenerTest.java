package io.losswatch.topology;

import static io.losswatch.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The listener hears each input, loss, unlabelled prediction, dead letter and final window once. */
class PipelineListenerTest {

    @Test
    void listenerHearsEveryOutcome() {
        List<String> heard = new ArrayList<>();
        PipelineListener listener = new PipelineListener() {
            @Override
            public void inputRecord(String topic) {
                heard.add("input:" + topic);
            }

            @Override
            public void lossComputed(String model, String lossFunction) {
                heard.add("loss:" + model + ":" + lossFunction);
            }

            @Override
            public void unlabelled(String model) {
                heard.add("unlabelled:" + model);
            }

            @Override
            public void deadLetter(String reason) {
                heard.add("dlq:" + reason);
            }

            @Override
            public void windowFinal(WindowMetrics metrics) {
                heard.add("final:" + metrics.model() + ":" + metrics.windowStart());
            }
        };
        Map<String, String> settings = Map.of("losswatch.join.window", "PT1M", "losswatch.join.grace", "PT0S");
        try (TopologyFixture f = new TopologyFixture(settings, listener)) {
            f.prediction(T0, "{\"model\": \"m\", \"prediction\": 0.5, \"label\": 1}");
            f.prediction(T0, "oops");
            f.prediction(T0, "{\"prediction_id\": \"a\", \"model\": \"m\", \"prediction\": 0.5}");
            f.prediction(T0 + 125_000, "{\"model\": \"m\", \"prediction\": 0.5, \"label\": 1}");
        }
        assertThat(heard).containsExactly(
                "input:predictions", "loss:m:log_loss",
                "input:predictions", "dlq:invalid_json",
                "input:predictions",
                "input:predictions", "loss:m:log_loss",
                "unlabelled:m", "final:m:" + T0);
    }
}
