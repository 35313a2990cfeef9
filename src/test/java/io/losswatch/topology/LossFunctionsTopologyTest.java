package io.losswatch.topology;

import static io.losswatch.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CONTRACT §5 through the topology: auto selection, forced functions and per-model overrides. */
class LossFunctionsTopologyTest {

    private static JsonNode onlyLoss(TopologyFixture f, String json) {
        f.prediction(T0, json);
        List<JsonNode> losses = f.losses();
        assertThat(losses).hasSize(1);
        return losses.get(0);
    }

    @Test
    void autoPicksCrossEntropyForClassProbabilitiesAndNormalisesThem() {
        try (TopologyFixture f = new TopologyFixture()) {
            // weights 2:1:1 are probabilities 0.5, 0.25, 0.25; −ln 0.5 = ln 2
            JsonNode loss = onlyLoss(f, "{\"model\": \"m\", \"prediction\": {\"cat\": 2, \"dog\": 1, \"eel\": 1},"
                    + " \"label\": \"cat\"}");
            assertThat(loss.get("loss_function").asText()).isEqualTo("cross_entropy");
            assertThat(loss.get("loss").asDouble()).isCloseTo(Math.log(2), within(1e-15));
            assertThat(loss.get("label").asText()).isEqualTo("cat");
        }
    }

    @Test
    void autoPicksMseForARegressionLabel() {
        try (TopologyFixture f = new TopologyFixture()) {
            JsonNode loss = onlyLoss(f, "{\"model\": \"m\", \"prediction\": 3.5, \"label\": 2}");
            assertThat(loss.get("loss_function").asText()).isEqualTo("mse");
            assertThat(loss.get("loss").asDouble()).isEqualTo(2.25);
        }
    }

    @Test
    void autoPicksLogLossForBooleanLabels() {
        try (TopologyFixture f = new TopologyFixture()) {
            JsonNode loss = onlyLoss(f, "{\"model\": \"m\", \"prediction\": 0.2, \"label\": false}");
            assertThat(loss.get("loss_function").asText()).isEqualTo("log_loss");
            assertThat(loss.get("loss").asDouble()).isCloseTo(0.2231435513142097, within(1e-15));
            assertThat(loss.get("label").asBoolean()).isFalse();
        }
    }

    @Test
    void perModelOverrideWinsOverTheGlobalChoice() {
        Map<String, String> settings = Map.of("losswatch.loss", "log_loss", "losswatch.model.house.price.loss", "mae",
                "losswatch.model.weather.loss", "brier", "losswatch.model.zoo.loss", "brier");
        try (TopologyFixture f = new TopologyFixture(settings)) {
            JsonNode mae = onlyLoss(f, "{\"model\": \"house.price\", \"prediction\": 3.5, \"label\": 2}");
            assertThat(mae.get("loss_function").asText()).isEqualTo("mae");
            assertThat(mae.get("loss").asDouble()).isEqualTo(1.5);

            JsonNode brier = onlyLoss(f, "{\"model\": \"weather\", \"prediction\": 0.7, \"label\": 0}");
            assertThat(brier.get("loss_function").asText()).isEqualTo("brier");
            assertThat(brier.get("loss").asDouble()).isCloseTo(0.49, within(1e-15));

            // (0.5−1)² + 0.3² + 0.2² = 0.25 + 0.09 + 0.04
            JsonNode brierMulti = onlyLoss(f, "{\"model\": \"zoo\", \"prediction\": {\"cat\": 0.5, \"dog\": 0.3, \"eel\": 0.2},"
                    + " \"label\": \"cat\"}");
            assertThat(brierMulti.get("loss").asDouble()).isCloseTo(0.38, within(1e-15));

            JsonNode global = onlyLoss(f, "{\"model\": \"churn\", \"prediction\": 0.93, \"label\": 1}");
            assertThat(global.get("loss_function").asText()).isEqualTo("log_loss");
        }
    }

    @Test
    void forcedMseOnAClassifierWithLabelsInTheBody() {
        try (TopologyFixture f = new TopologyFixture(Map.of("losswatch.loss", "mse"))) {
            JsonNode loss = onlyLoss(f, "{\"model\": \"m\", \"prediction\": 0.7, \"label\": 0}");
            assertThat(loss.get("loss").asDouble()).isCloseTo(0.49, within(1e-15));
            f.advanceTo(T0 + 120_000);
            JsonNode m = f.metrics().get(0);
            assertThat(m.get("loss_function").asText()).isEqualTo("mse");
            assertThat(m.get("mean_prediction").isNull()).as("binary figures only for binary classifiers").isTrue();
        }
    }
}
