package io.losswatch.reliability;

import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaBroker;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Failover between two instances on Apache Kafka's in-process KRaft broker. */
class EmbeddedKafkaFailoverIT extends FailoverScenarios {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();

    @Override
    KafkaBroker broker() {
        return KAFKA;
    }
}
