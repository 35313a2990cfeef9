package io.losswatch.reliability;

import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaBroker;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A broker outage on Apache Kafka's in-process KRaft broker. */
class EmbeddedKafkaBrokerOutageIT extends BrokerOutageScenarios {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();

    @Override
    KafkaBroker broker() {
        return KAFKA;
    }
}
