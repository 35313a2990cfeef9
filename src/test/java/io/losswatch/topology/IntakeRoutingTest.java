package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * The prediction intake's loss records go straight to their sink, so the intake's children must be
 * exactly the four it forwards to by name, and the sink must refuse anything but a scored prediction.
 * (Where each kind of record ends is covered end to end by the pipeline and rejected-input tests.)
 */
class IntakeRoutingTest {
    @Test
    void predictionIntakeFeedsItsLossesSinkDirectly() {
        TopologyDescription description = LosswatchTopology.build(LosswatchConfig.from(new Properties())).describe();
        TopologyDescription.Node intake = description.subtopologies().stream()
                .flatMap(s -> s.nodes().stream())
                .filter(n -> n.name().equals(PredictionIntake.NAME))
                .findFirst().orElseThrow();

        Set<String> children = intake.successors().stream().map(TopologyDescription.Node::name).collect(Collectors.toSet());
        assertThat(children).containsExactlyInAnyOrder("prediction-intake-losses-sink", "prediction-intake-dead-letters",
                "partials-and-watermarks", "pending-predictions");
        TopologyDescription.Sink sink = intake.successors().stream()
                .filter(n -> n instanceof TopologyDescription.Sink).map(n -> (TopologyDescription.Sink) n)
                .findFirst().orElseThrow();
        assertThat(sink.topic()).isEqualTo("prediction-losses");
    }

    @Test
    void lossesSinkWritesTheLossRecordAndRefusesAnythingElse() {
        Routed.LossRecord loss = new Routed.LossRecord("p-1", "churn", "v7", "log_loss", 0.5,
                JsonNodeFactory.instance.numberNode(0.4), JsonNodeFactory.instance.numberNode(1), 1_764_000_000_000L);
        LosswatchTopology.ScoredLossSerializer serializer = new LosswatchTopology.ScoredLossSerializer();

        assertThat(new String(serializer.serialize("prediction-losses", new Routed.Scored(loss, null)), StandardCharsets.UTF_8))
                .isEqualTo("{\"prediction_id\":\"p-1\",\"model\":\"churn\",\"model_version\":\"v7\",\"loss_function\":\"log_loss\","
                        + "\"loss\":0.5,\"prediction\":0.4,\"label\":1,\"event_time\":1764000000000}");
        Routed.DeadLetter deadLetter = new Routed.DeadLetter(
                new SourceRecord("predictions", 0, 3, 0, null, new byte[0]), "invalid_json", "not JSON");
        assertThatThrownBy(() -> serializer.serialize("prediction-losses", deadLetter))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only scored predictions belong on prediction-losses");
    }
}
