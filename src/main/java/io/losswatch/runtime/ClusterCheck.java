package io.losswatch.runtime;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Start-up's first talk with Kafka, and what a security failure means in one line. A wrong
 * password, an untrusted certificate or a trust store that cannot be opened is a configuration
 * problem no retry will fix, so losswatch stops at once with a line naming it and its own exit code
 * (docs/reliability.md) instead of a stack trace or a retry loop:
 * {@value #EXIT_AUTHENTICATION} for SASL authentication, {@value #EXIT_TLS} for TLS.
 * Neither the message nor anything here ever contains a password: only the broker's reason and the
 * names of the settings to check.
 */
final class ClusterCheck {
    /** Kafka refused the SASL credentials (user name, password, mechanism). */
    static final int EXIT_AUTHENTICATION = 3;
    /** TLS could not be set up or the handshake failed (trust store, certificate, host name). */
    static final int EXIT_TLS = 4;

    private ClusterCheck() {
    }

    /** A security failure: the one line to print and the exit code. */
    record Failure(int exitCode, String message) {
    }

    /**
     * Creates the admin client and asks the cluster to describe itself: the first request, so an
     * authentication or TLS failure surfaces here, before topics, Kafka Streams or HTTP start.
     * Throws {@link LosswatchApplication.StartupException} with the exit code of a security failure, or
     * with exit code 1 and one line naming bootstrap.servers when no broker answers within timeout.
     */
    static Admin connect(Map<String, Object> adminConfig, Properties kafka, Duration timeout) {
        Map<String, Object> config = new HashMap<>(adminConfig);
        // while no broker answers, the client logs two WARN lines per reconnect attempt, and by default it
        // tries again within 50 ms to 1 s: 66 lines in a minute. Back off from 1 s to 10 s instead (about
        // 6 attempts in 30 s); a broker that comes up is still found within 10 s. Only this admin client:
        // once start-up has reached the cluster, Kafka Streams' clients keep Kafka's defaults.
        config.putIfAbsent(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 1_000);
        config.putIfAbsent(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 10_000);
        String bootstrap = kafka.getProperty("bootstrap.servers");
        Admin admin;
        try {
            admin = Admin.create(config);
        } catch (KafkaException e) {
            throw startupFailure(e, kafka).orElseGet(() -> new LosswatchApplication.StartupException(
                    "cannot connect to Kafka at " + bootstrap + ": " + describe(e.getCause() == null ? e : e.getCause())
                            + "; check bootstrap.servers", e, 1));
        }
        try {
            // the call's own timeout is the one that ends the wait; get's is only a backstop, so the
            // message does not depend on which of two timeouts fires first
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            return admin;
        } catch (ExecutionException e) {
            admin.close();
            Optional<LosswatchApplication.StartupException> security = startupFailure(e.getCause(), kafka);
            if (security.isPresent()) {
                throw security.get();
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw noAnswer(bootstrap, timeout, e);
            }
            throw new LosswatchApplication.StartupException("cannot connect to Kafka at " + bootstrap
                    + ": " + describe(e.getCause()), e, 1);
        } catch (TimeoutException e) {
            admin.close();
            throw noAnswer(bootstrap, timeout, e);
        } catch (InterruptedException e) {
            admin.close();
            Thread.currentThread().interrupt();
            throw new LosswatchApplication.StartupException("interrupted while connecting to Kafka", e, 1);
        }
    }

    /** The one line for a cluster that never answered: what was tried, for how long, and what to check. */
    static LosswatchApplication.StartupException noAnswer(String bootstrap, Duration timeout, Exception e) {
        return new LosswatchApplication.StartupException("cannot connect to Kafka at " + bootstrap
                + ": no broker answered within " + timeout.toSeconds() + " s (losswatch.connect.timeout); check that"
                + " bootstrap.servers names brokers that run and are reachable from this machine, and that"
                + " security.protocol matches their listener", e, 1);
    }

    private static Optional<LosswatchApplication.StartupException> startupFailure(Throwable t, Properties kafka) {
        return classify(t, kafka).map(f -> new LosswatchApplication.StartupException(f.message(), t, f.exitCode()));
    }

    /** The security failure t is (anywhere in its causes), or empty when it is something else. */
    static Optional<Failure> classify(Throwable t, Properties kafka) {
        String bootstrap = kafka.getProperty("bootstrap.servers");
        Throwable store = find(t, "Failed to load SSL keystore");
        if (store != null) {
            return Optional.of(new Failure(EXIT_TLS, "cannot set up TLS for Kafka: " + storeProblem(store, t, kafka)));
        }
        SaslAuthenticationException sasl = find(t, SaslAuthenticationException.class);
        if (sasl != null) {
            return Optional.of(new Failure(EXIT_AUTHENTICATION, "cannot connect to Kafka at " + bootstrap
                    + ": authentication failed: " + oneLine(sasl.getMessage())
                    + "; check sasl.jaas.config (user name and password) and sasl.mechanism"));
        }
        SslAuthenticationException ssl = find(t, SslAuthenticationException.class);
        if (ssl != null || find(t, SSLException.class) != null) {
            return Optional.of(new Failure(EXIT_TLS, "cannot connect to Kafka at " + bootstrap
                    + ": TLS handshake failed: " + tlsProblem(t)));
        }
        AuthenticationException other = find(t, AuthenticationException.class);
        if (other != null) {
            return Optional.of(new Failure(EXIT_AUTHENTICATION, "cannot connect to Kafka at " + bootstrap
                    + ": authentication failed: " + oneLine(other.getMessage())
                    + "; check security.protocol, sasl.mechanism and sasl.jaas.config"));
        }
        return Optional.empty();
    }

    private static String tlsProblem(Throwable t) {
        Throwable path = find(t, CertPathBuilderException.class);
        if (path == null) {
            path = find(t, CertPathValidatorException.class);
        }
        if (path != null) {
            String kind = path instanceof CertPathBuilderException ? "PKIX path building failed: " : "PKIX path validation failed: ";
            return "the broker's certificate is not trusted (" + kind + oneLine(rootMessage(path))
                    + "); check that ssl.truststore.location holds the CA that signed the broker's certificate";
        }
        CertificateException cert = find(t, CertificateException.class);
        if (cert != null && String.valueOf(cert.getMessage()).contains("No subject alternative")) {
            return "the broker's certificate does not name the host in bootstrap.servers (" + oneLine(cert.getMessage())
                    + "); connect by a name the certificate lists";
        }
        if (cert != null) {
            return "the broker's certificate was refused (" + oneLine(cert.getMessage()) + ")";
        }
        return oneLine(rootMessage(t)) + "; check security.protocol and the ssl.* settings";
    }

    private static String storeProblem(Throwable store, Throwable t, Properties kafka) {
        String message = String.valueOf(store.getMessage());
        String trust = kafka.getProperty("ssl.truststore.location");
        String key = kafka.getProperty("ssl.keystore.location");
        String reason = oneLine(store.getCause() == null ? message : store.getCause().getMessage());
        if (trust != null && message.contains(trust)) {
            return "cannot load the trust store " + trust + " (ssl.truststore.location): " + reason
                    + "; check ssl.truststore.location, ssl.truststore.password and ssl.truststore.type";
        }
        if (key != null && message.contains(key)) {
            return "cannot load the key store " + key + " (ssl.keystore.location): " + reason
                    + "; check ssl.keystore.location, ssl.keystore.password, ssl.key.password and ssl.keystore.type";
        }
        return oneLine(message) + ": " + reason;
    }

    private static String describe(Throwable t) {
        return t == null ? "unknown error" : t.getClass().getSimpleName() + ": " + oneLine(t.getMessage());
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static Throwable find(Throwable t, String messageStart) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && c.getMessage().startsWith(messageStart)) {
                return c;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }
}
