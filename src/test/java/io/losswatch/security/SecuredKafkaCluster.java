package io.losswatch.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process KRaft node (Apache Kafka's KafkaClusterTestKit) whose client listener requires
 * SASL/SCRAM-SHA-512 over TLS, as a production cluster would. KafkaClusterTestKit 4.3 only builds
 * PLAINTEXT and SASL_PLAINTEXT itself, so the listeners are set through {@code setConfigProp} (which
 * it leaves alone): {@code EXTERNAL} (the test kit's broker listener, whose address
 * {@code bootstrapServers()} gives) becomes SASL_SSL; a PLAINTEXT {@code INTERNAL} listener carries
 * inter-broker traffic (transaction markers go to the broker itself) and the set-up of the SCRAM
 * user; the controller keeps its PLAINTEXT listener. No authorizer: authentication is what is tested.
 */
final class SecuredKafkaCluster implements BeforeAllCallback, AfterAllCallback {
    static final String USER = "losswatch";
    private static final String MECHANISM = "SCRAM-SHA-512";

    private final String password = TestCertificates.randomPassword("scram");
    private Path dir;
    private TestCertificates certificates;
    private KafkaClusterTestKit cluster;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("losswatch-secured-kafka");
        certificates = TestCertificates.create(dir);
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build());
        brokerConfig().forEach(builder::setConfigProp);
        cluster = builder.build();
        cluster.nonFatalFaultHandler().setIgnore(true);
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        createScramUser();
        verifyReady();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    private Map<String, String> brokerConfig() {
        Map<String, String> c = new HashMap<>();
        c.put("listeners", "EXTERNAL://localhost:0,INTERNAL://localhost:0,CONTROLLER://localhost:0");
        c.put("listener.security.protocol.map", "EXTERNAL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
        c.put("inter.broker.listener.name", "INTERNAL");
        c.put("sasl.enabled.mechanisms", MECHANISM);
        c.put("listener.name.external.sasl.enabled.mechanisms", MECHANISM);
        c.put("listener.name.external.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        c.put("listener.name.external.ssl.keystore.type", "PKCS12");
        c.put("listener.name.external.ssl.keystore.location", certificates.brokerKeyStore().toString());
        c.put("listener.name.external.ssl.keystore.password", certificates.brokerKeyStorePassword());
        c.put("listener.name.external.ssl.key.password", certificates.brokerKeyStorePassword());
        // single-node exactly-once, as io.losswatch.it.EmbeddedKafkaBroker
        c.put("offsets.topic.replication.factor", "1");
        c.put("offsets.topic.num.partitions", "5");
        c.put("transaction.state.log.replication.factor", "1");
        c.put("transaction.state.log.min.isr", "1");
        c.put("transaction.state.log.num.partitions", "5");
        c.put("group.initial.rebalance.delay.ms", "0");
        c.put("log.retention.ms", "-1");
        c.put("auto.create.topics.enable", "false");
        return c;
    }

    /** The SCRAM user, written to the metadata log through the PLAINTEXT internal listener. */
    private void createScramUser() throws Exception {
        int internal = cluster.brokers().get(0).boundPort(ListenerName.normalised("INTERNAL"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + internal))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Over the secured listener: the credential has reached the broker (it applies metadata
     * asynchronously, so the first attempts may be refused), then a topic, a record and a consumer
     * group, so the offsets topic exists before the first test.
     */
    private void verifyReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (Admin admin = Admin.create(clientProperties())) {
                admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
                break;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the SCRAM user was never accepted on the secured listener", e);
                }
                Thread.sleep(250);
            }
        }
        String topic = "warmup-" + UUID.randomUUID();
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(clientProperties(),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "k", "v")).get(60, TimeUnit.SECONDS);
            }
            Properties c = clientProperties();
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "warmup-" + UUID.randomUUID());
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                if (consumer.poll(Duration.ofMinutes(2)).isEmpty()) {
                    throw new IllegalStateException("the secured broker did not serve a consumer group in time");
                }
            }
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** The SASL_SSL address. */
    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    String password() {
        return password;
    }

    TestCertificates certificates() {
        return certificates;
    }

    Path dir() {
        return dir;
    }

    /** The JAAS line of a SCRAM login as user with this password. */
    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** What a client of the secured listener needs: SASL_SSL, SCRAM-SHA-512, the user, the trust store. */
    Map<String, String> clientSecurity() {
        Map<String, String> p = new HashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", MECHANISM);
        p.put("sasl.jaas.config", jaas(USER, password));
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", certificates.trustStore().toString());
        p.put("ssl.truststore.password", certificates.trustStorePassword());
        return p;
    }

    Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(clientSecurity());
        p.put("bootstrap.servers", bootstrapServers());
        return p;
    }
}
