package io.losswatch.reliability;

import io.losswatch.it.ContainerKafkaBroker;
import io.losswatch.it.KafkaBroker;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** A broker outage (the container paused) on the apache/kafka image; skipped where there is no Docker engine. */
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaBrokerOutageIT extends BrokerOutageScenarios {
    @Container
    static final ContainerKafkaBroker KAFKA = new ContainerKafkaBroker();

    @Override
    KafkaBroker broker() {
        return KAFKA;
    }
}
