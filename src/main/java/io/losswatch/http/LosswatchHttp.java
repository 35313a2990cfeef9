package io.losswatch.http;

import io.losswatch.topology.PipelineListener;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The HTTP side of one losswatch instance, put together: the metrics the topology reports to, the
 * history fed from the output topics, and the server. The runtime creates it before Kafka Streams
 * (the topology needs {@link #pipelineListener()}), starts it before starting Kafka Streams (so a
 * port in use stops start-up before processing begins), and closes it after.
 */
public final class LosswatchHttp implements AutoCloseable {
    private final MetricsHistory history;
    private final LosswatchMetrics metrics;
    private final TopicFeed feed;
    private final HttpSettings settings;
    private HttpServer server;

    private LosswatchHttp(HttpSettings settings, MetricsHistory history, LosswatchMetrics metrics, TopicFeed feed) {
        this.settings = settings;
        this.history = history;
        this.metrics = metrics;
        this.feed = feed;
    }

    /**
     * @param streamsProperties the Kafka Streams settings; the history consumer uses their client
     *                          settings (bootstrap servers, security, {@code consumer.*} overrides)
     */
    public static LosswatchHttp create(HttpSettings settings, TopicFeed.Topics topics, Properties streamsProperties) {
        MetricsHistory history = MetricsHistory.of(settings);
        StreamsConfig streamsConfig = new StreamsConfig(streamsProperties);
        String clientId = streamsConfig.getString(StreamsConfig.APPLICATION_ID_CONFIG) + "-http-history";
        Map<String, Object> consumer = streamsConfig.getGlobalConsumerConfigs(clientId);
        consumer.put("client.id", clientId);
        return new LosswatchHttp(settings, history, new LosswatchMetrics(history), new TopicFeed(consumer, topics, history));
    }

    /** Counts what the topology does, for /metrics. */
    public PipelineListener pipelineListener() {
        return metrics;
    }

    /** Binds the Kafka Streams metrics, starts the history feed and listens; returns the HTTP port. */
    public int start(KafkaStreams streams) {
        metrics.bindStreams(streams);
        server = new HttpServer(settings, history, metrics, streams::state, feed::caughtUp);
        int port = server.start();
        feed.start();
        return port;
    }

    public int port() {
        return server == null ? -1 : server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        feed.close();
        metrics.close();
    }
}
