package io.losswatch.it;

/** A real Kafka broker the integration scenarios run against (in-process KRaft, or a container). */
public interface KafkaBroker {

    /** host:port list for clients and for losswatch's bootstrap.servers. */
    String bootstrapServers();

    /** Takes the broker away from its clients until {@link #startBroker()}; its data is kept. */
    void stopBroker();

    /** Brings a stopped broker back at the same address, and returns once it serves clients again. */
    void startBroker();
}
