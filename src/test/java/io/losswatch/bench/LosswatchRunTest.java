package io.losswatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.config.LosswatchConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LosswatchRunTest {
    /**
     * Runs of one bench share a broker: each must have topics of its own, or one run's dashboard reads the
     * records of every run before it while it is measured (the prediction-metrics topic was shared so).
     */
    @Test
    void aPrefixedRunHasEveryTopicOfItsOwn() {
        Map<String, String> defaults = LosswatchConfig.from(new java.util.Properties()).topics().bySetting();
        Map<String, String> prefixed = LosswatchConfig.from(LosswatchRun.config("localhost:9092", Path.of("s"), 3, "seg2-"))
                .topics().bySetting();
        assertThat(prefixed).hasSize(7).containsOnlyKeys(defaults.keySet());
        defaults.forEach((setting, name) -> assertThat(prefixed.get(setting)).as(setting).isEqualTo("seg2-" + name));
        assertThat(prefixed.get("prediction.metrics")).isEqualTo("seg2-prediction-metrics");
    }

    @Test
    void theFirstRoundsRunKeepsTheDefaultTopics() {
        assertThat(LosswatchConfig.from(LosswatchRun.config("localhost:9092", Path.of("s"), 3, "")).topics())
                .isEqualTo(LosswatchConfig.from(new java.util.Properties()).topics());
    }
}
