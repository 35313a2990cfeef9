package io.losswatch.bench;

import java.nio.file.Path;
import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link HotPathBenchmark} with JMH in a forked JVM; JMH's own report goes to a file. */
final class HotPath {
    record Result(double eventsPerSecond, double error, String unit) {
    }

    private HotPath() {
    }

    static Result run(Path log) {
        Options options = new OptionsBuilder()
                .include(HotPathBenchmark.class.getName() + ".parseScoreAggregate")
                .forks(1)
                .threads(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(2))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(2))
                .jvmArgs("-Xmx1g")
                .output(log.toString())
                .build();
        try {
            Collection<RunResult> results = new Runner(options).run();
            if (results.isEmpty()) {
                throw new BenchException("JMH ran no benchmark; see " + log);
            }
            var primary = results.iterator().next().getPrimaryResult();
            return new Result(primary.getScore(), primary.getScoreError(), primary.getScoreUnit());
        } catch (RunnerException e) {
            throw new BenchException("JMH failed: " + e.getMessage() + "; see " + log);
        }
    }
}
