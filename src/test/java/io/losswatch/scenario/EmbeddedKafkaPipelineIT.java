package io.losswatch.scenario;

import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaBroker;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pipeline scenarios on Apache Kafka's in-process KRaft broker: runs everywhere, no Docker needed. */
class EmbeddedKafkaPipelineIT extends PipelineScenarios {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();

    @Override
    KafkaBroker broker() {
        return KAFKA;
    }
}
