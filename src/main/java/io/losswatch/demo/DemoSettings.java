package io.losswatch.demo;

import io.losswatch.generator.GeneratorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the demo needs to know: where its broker listens, where its data goes, its window
 * size and the traffic it sends.
 *
 * @param kafkaPort     the embedded broker's port; 0: any free port
 * @param kafkaPortStrict false: if kafkaPort is taken, fall back to any free port (the default 9092)
 * @param httpPort      the dashboard's port on localhost; 0: any free port
 * @param httpPortStrict false: if httpPort is taken, fall back to any free port (the default 8080)
 * @param dir           data directory to keep; empty: a temporary one, deleted on exit
 * @param window        losswatch.window.size
 * @param runFor        stop by itself after this long; empty: until Ctrl-C
 * @param traffic       the generator's options (with its late-labelled model, if any)
 * @param minLabelled   losswatch.estimate.min.labelled: labels a model version's calibration needs before
 *                      its loss is estimated
 * @param format        the shape of the predictions sent: json, kserve or nested (TrafficGenerator.FORMATS)
 */
public record DemoSettings(int kafkaPort, boolean kafkaPortStrict, int httpPort, boolean httpPortStrict,
                           Optional<Path> dir, Duration window,
                           Optional<Duration> runFor, GeneratorOptions traffic, long minLabelled,
                           String format) {
}
