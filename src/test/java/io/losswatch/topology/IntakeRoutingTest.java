package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Map;
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

    /**
     * Kafka Streams asks its idling check before every record of a task with more than one input partition while
     * one of them is empty (formatting a log message for it each time), and with labels inline the join's labels
     * and the aggregator's joined predictions are always empty: each task reads one topic, both producers write it.
     */
    @Test
    void everyTaskReadsOneTopicThatAllItsProducersWrite() {
        Map<Integer, Subtopology> subtopologies = subtopologies(false);
        assertThat(subtopologies.values()).allSatisfy(s -> assertThat(s.sources()).hasSize(1));
        assertThat(writersOf("partials-by-model-repartition", subtopologies))
                .as("the prediction intake's partials, the join's contributions")
                .containsExactlyInAnyOrder("predictions", "predictions-by-id-repartition");
        assertThat(writersOf("predictions-by-id-repartition", subtopologies))
                .as("the prediction intake's pending predictions and watermarks, the labels")
                .containsExactlyInAnyOrder("predictions", "labels");
    }

    /** What a version with one topic per producer left on its labels-by-id and joined-by-model is passed on. */
    @Test
    void whenDrainingTheEarlierTopicsTheyArePassedOnByTasksOfTheirOwnAndTheOthersKeepTheirNumbers() {
        Map<Integer, Subtopology> plain = subtopologies(false);
        Map<Integer, Subtopology> draining = subtopologies(true);
        assertThat(draining.values()).allSatisfy(s -> assertThat(s.sources()).hasSize(1));
        plain.forEach((id, s) -> assertThat(draining.get(id).sources()).as("sub-topology %d", id).isEqualTo(s.sources()));
        assertThat(draining).hasSize(plain.size() + 2);
        assertThat(writersOf("partials-by-model-repartition", draining)).containsExactlyInAnyOrder(
                "predictions", "predictions-by-id-repartition", "joined-by-model-repartition");
        assertThat(writersOf("predictions-by-id-repartition", draining)).containsExactlyInAnyOrder(
                "predictions", "labels", "labels-by-id-repartition");
    }

    private record Subtopology(Set<String> sources, Set<String> sinks) {
    }

    private static Map<Integer, Subtopology> subtopologies(boolean drainEarlierTopics) {
        TopologyDescription description = LosswatchTopology.build(LosswatchConfig.from(new Properties()),
                PipelineListener.NONE, 1, Storage.PERSISTENT, drainEarlierTopics).describe();
        Map<Integer, Subtopology> out = new java.util.TreeMap<>();
        for (TopologyDescription.Subtopology s : description.subtopologies()) {
            Set<String> sources = s.nodes().stream().filter(n -> n instanceof TopologyDescription.Source)
                    .flatMap(n -> ((TopologyDescription.Source) n).topicSet().stream()).collect(Collectors.toSet());
            Set<String> sinks = s.nodes().stream().filter(n -> n instanceof TopologyDescription.Sink)
                    .map(n -> ((TopologyDescription.Sink) n).topic()).collect(Collectors.toSet());
            out.put(s.id(), new Subtopology(sources, sinks));
        }
        return out;
    }

    private static Set<String> writersOf(String topic, Map<Integer, Subtopology> subtopologies) {
        return subtopologies.values().stream().filter(s -> s.sinks().contains(topic))
                .flatMap(s -> s.sources().stream()).collect(Collectors.toSet());
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
