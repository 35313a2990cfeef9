package io.losswatch.reliability;

import io.losswatch.it.ContainerKafkaBroker;
import io.losswatch.it.KafkaBroker;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** Repeated crashes on the apache/kafka image; skipped where there is no Docker engine. */
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaRepeatedCrashIT extends RepeatedCrashScenarios {
    @Container
    static final ContainerKafkaBroker KAFKA = new ContainerKafkaBroker();

    @Override
    KafkaBroker broker() {
        return KAFKA;
    }
}
