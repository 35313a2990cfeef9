package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.LabelEvent;
import io.losswatch.event.PredictionEvent;
import io.losswatch.event.SourceRecord;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The join's handling of a prediction whose windows were already final on its input partition: it
 * must not touch the windows (they never counted it as pending), only dead-letter it once as late.
 */
class LabelJoinTest {
    private static final long T0 = 1_764_000_000_000L;
    private MockProcessorContext<String, Routed> context;
    private LabelJoin join;

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>();
        context.setCurrentStreamTimeMs(T0); // a task's stream time includes the record in hand
        add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.JOIN_PREDICTIONS_STORE), Serdes.String(),
                new JsonSerde<>(Routed.PendingPrediction.class)).withLoggingDisabled().build());
        add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.JOIN_LABELS_STORE), Serdes.String(),
                new JsonSerde<>(Routed.PendingLabel.class)).withLoggingDisabled().build());
        add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.JOIN_TIMERS_STORE), Serdes.Bytes(),
                Serdes.ByteArray()).withLoggingDisabled().build());
        join = new LabelJoin(LosswatchConfig.from(new Properties()), PipelineListener.NONE);
        join.init(context);
    }

    private void add(KeyValueStore<?, ?> store) {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    private static Routed.PendingPrediction prediction(boolean windowsOpen) {
        PredictionEvent e = new PredictionEvent("p-1", "churn", "v1", T0, new DoubleNode(0.8), null);
        return new Routed.PendingPrediction(e, new SourceRecord("predictions", 0, 41, T0, null, new byte[0]), windowsOpen);
    }

    private static Routed.PendingLabel label() {
        return new Routed.PendingLabel(new LabelEvent("p-1", IntNode.valueOf(1), T0 + 1_000),
                new SourceRecord("labels", 0, 7, T0 + 1_000, null, new byte[0]));
    }

    private List<Routed> forwarded() {
        return context.forwarded().stream().map(f -> (Routed) f.record().value()).toList();
    }

    @Test
    void aJoinedPredictionWithOpenWindowsContributesToThem() {
        join.process(new Record<>("p-1", prediction(true), T0));
        join.process(new Record<>("p-1", label(), T0 + 1_000));
        assertThat(forwarded()).singleElement().isInstanceOfSatisfying(Routed.Scored.class, s -> {
            assertThat(s.contribution()).isNotNull();
            assertThat(s.contribution().stats().pending).isEqualTo(-1);
        });
    }

    @Test
    void aJoinedPredictionWhoseWindowsWereFinalKeepsItsLossAndIsOneLateEvent() {
        join.process(new Record<>("p-1", prediction(false), T0));
        join.process(new Record<>("p-1", label(), T0 + 1_000));
        List<Routed> out = forwarded();
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOfSatisfying(Routed.Scored.class, s -> {
            assertThat(s.loss().loss()).isEqualTo(-Math.log(0.8));
            assertThat(s.contribution()).as("no window contribution").isNull();
        });
        assertThat(out.get(1)).isInstanceOfSatisfying(Routed.DeadLetter.class, d -> {
            assertThat(d.reason()).isEqualTo("late_event");
            assertThat(d.source().offset()).isEqualTo(41);
        });
        assertThat(out).noneMatch(v -> v instanceof Routed.Contribution);
    }
}
