package io.losswatch.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process KRaft broker (combined broker + controller) on Apache Kafka's own test kit, the way
 * Kafka Streams' integration tests wrap {@link KafkaClusterTestKit} in their EmbeddedKafkaCluster.
 * Register it on a static field so a test class shares one broker:
 * {@code @RegisterExtension static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();}
 */
public final class EmbeddedKafkaBroker implements KafkaBroker, BeforeAllCallback, AfterAllCallback {
    private static final int BROKER_ID = 0;
    /** Records up to 8 MiB plus headers: losswatch dead-letters oversized input whole. */
    static final int MAX_MESSAGE_BYTES = 8_650_752;

    private KafkaClusterTestKit cluster;

    /** Broker settings: exactly-once on a single node, large records, and test data that never expires. */
    static Map<String, String> brokerConfig() {
        return Map.ofEntries(
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "5"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("transaction.state.log.num.partitions", "5"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES)),
                // scenario traffic is timestamped in 2025: time-based retention would delete it mid-test
                Map.entry("log.retention.ms", "-1"),
                // a misspelt topic should fail the test, not appear with one partition
                Map.entry("auto.create.topics.enable", "false"));
    }

    public void start() {
        try {
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build());
            brokerConfig().forEach(builder::setConfigProp);
            cluster = builder.build();
            cluster.nonFatalFaultHandler().setIgnore(true);
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker", e);
        }
        verifyReady();
    }

    public void close() {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop the embedded Kafka broker", e);
            } finally {
                cluster = null;
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void stopBroker() {
        cluster.brokers().get(BROKER_ID).shutdown();
    }

    @Override
    public void startBroker() {
        try {
            cluster.brokers().get(BROKER_ID).startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            throw new IllegalStateException("cannot restart the embedded Kafka broker", e);
        }
    }

    /**
     * Brokers report ready before a group can form; create a topic, produce and read it through a
     * consumer group, so the offsets topic exists before the first test.
     */
    private void verifyReady() {
        String topic = "warmup-" + UUID.randomUUID();
        String group = "warmup-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            KafkaTestClients.produce(bootstrapServers(), topic, List.of(new ProducerRecord<>(topic, "k", "v")));
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, String> consumer =
                         new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                if (consumer.poll(Duration.ofMinutes(2)).isEmpty()) {
                    throw new IllegalStateException("the embedded broker did not serve a consumer group in time");
                }
            }
            admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the embedded Kafka broker is not ready", e);
        }
    }
}
