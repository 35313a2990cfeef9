package io.losswatch.http;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One in-process KRaft broker (Apache Kafka's own KafkaClusterTestKit) set up for exactly-once on
 * a single node. Minimal on purpose: the shared broker fixture is being built in
 * {@code io.losswatch.it}; once it lands, use it here instead.
 */
final class InProcessBroker implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private InProcessBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    static InProcessBroker start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new InProcessBroker(cluster);
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
