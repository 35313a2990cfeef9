package io.losswatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The one-line messages and exit codes for the failures SecuredClusterIT cannot provoke on its
 * broker (a certificate for another host, an unreadable key store), built the way the Kafka client
 * nests them; and that anything else is not called a security failure.
 */
class ClusterCheckTest {
    private static final Properties KAFKA = new Properties();

    static {
        KAFKA.setProperty("bootstrap.servers", "kafka-1:9093");
        KAFKA.setProperty("ssl.truststore.location", "/etc/losswatch/truststore.p12");
        KAFKA.setProperty("ssl.keystore.location", "/etc/losswatch/client.p12");
    }

    @Test
    void aCertificateForAnotherHost() {
        SSLHandshakeException handshake = new SSLHandshakeException("No subject alternative DNS name matching kafka-1 found.");
        handshake.initCause(new CertificateException("No subject alternative DNS name matching kafka-1 found."));
        Throwable e = new ExecutionException(new SslAuthenticationException("SSL handshake failed", handshake));
        assertThat(ClusterCheck.classify(e, KAFKA)).hasValue(new ClusterCheck.Failure(4,
                "cannot connect to Kafka at kafka-1:9093: TLS handshake failed: the broker's certificate does not name"
                        + " the host in bootstrap.servers (No subject alternative DNS name matching kafka-1 found.);"
                        + " connect by a name the certificate lists"));
    }

    @Test
    void aKeyStoreThatCannotBeRead() {
        KafkaException load = new KafkaException("Failed to load SSL keystore /etc/losswatch/client.p12 of type PKCS12",
                new IOException("keystore password was incorrect"));
        Throwable e = new KafkaException("Failed to create new KafkaAdminClient",
                new KafkaException("Failed to create new NetworkClient", new KafkaException(load)));
        assertThat(ClusterCheck.classify(e, KAFKA)).hasValue(new ClusterCheck.Failure(4,
                "cannot set up TLS for Kafka: cannot load the key store /etc/losswatch/client.p12 (ssl.keystore.location):"
                        + " keystore password was incorrect; check ssl.keystore.location, ssl.keystore.password,"
                        + " ssl.key.password and ssl.keystore.type"));
    }

    @Test
    void saslMessagesStayOnOneLine() {
        Throwable e = new SaslAuthenticationException("Authentication failed:\n  invalid credentials");
        assertThat(ClusterCheck.classify(e, KAFKA)).hasValue(new ClusterCheck.Failure(3,
                "cannot connect to Kafka at kafka-1:9093: authentication failed: Authentication failed: invalid credentials;"
                        + " check sasl.jaas.config (user name and password) and sasl.mechanism"));
    }

    @Test
    void otherFailuresAreNotSecurityFailures() {
        assertThat(ClusterCheck.classify(new ExecutionException(new TimeoutException("Timed out waiting for a node")), KAFKA))
                .isEmpty();
        assertThat(ClusterCheck.classify(new IllegalStateException("boom"), KAFKA)).isEmpty();
    }
}
