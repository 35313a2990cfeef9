package io.losswatch.it;

import org.testcontainers.kafka.KafkaContainer;

/**
 * The apache/kafka image in Docker (Testcontainers), set up like {@link EmbeddedKafkaBroker}. Put it
 * on a static {@code @Container} field of a class annotated
 * {@code @Testcontainers(disabledWithoutDocker = true)}: one container per test class, and the class
 * is skipped where there is no Docker engine.
 */
public final class ContainerKafkaBroker extends KafkaContainer implements KafkaBroker {
    /** The broker of the Kafka release losswatch is built against. */
    public static final String IMAGE = "apache/kafka:4.3.1";

    public ContainerKafkaBroker() {
        super(IMAGE);
        EmbeddedKafkaBroker.brokerConfig().forEach((key, value) -> withEnv(envName(key), value));
    }

    @Override
    public String bootstrapServers() {
        return getBootstrapServers();
    }

    /** Freezes the container: clients time out as with a broker that went away. Its data is kept. */
    @Override
    public void stopBroker() {
        getDockerClient().pauseContainerCmd(getContainerId()).exec();
    }

    @Override
    public void startBroker() {
        getDockerClient().unpauseContainerCmd(getContainerId()).exec();
    }

    /** The apache/kafka image reads broker settings from KAFKA_ variables: message.max.bytes is KAFKA_MESSAGE_MAX_BYTES. */
    static String envName(String brokerKey) {
        return "KAFKA_" + brokerKey.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
    }
}
