package io.losswatch.embedded;

import io.losswatch.config.LosswatchConfig;
import java.nio.file.Path;

/** What {@code losswatch.embedded.kafka}, {@code .port} and {@code .dir} say (validated by the config registry). */
public record EmbeddedKafkaSettings(boolean enabled, int port, Path dir) {
    public static EmbeddedKafkaSettings of(LosswatchConfig config) {
        return new EmbeddedKafkaSettings(
                "true".equals(config.get("losswatch.embedded.kafka")),
                (int) (long) (Long) config.get("losswatch.embedded.kafka.port"),
                Path.of((String) config.get("losswatch.embedded.kafka.dir")));
    }
}
