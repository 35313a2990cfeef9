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

    static final int FORKS = 3;
    static final int WARMUP_ITERATIONS = 4;
    static final int ITERATIONS = 8;

    private HotPath() {
    }

    static Result run(Path log) {
        Options options = new OptionsBuilder()
                .include(HotPathBenchmark.class.getName() + ".parseScoreAggregate")
                // 3 forks of 4 warm-up and 8 measured iterations: on a quiet machine the error was 6% of the
                // figure (1 fork of 5 had an error as large as the figure on a busy one; docs/benchmarks.md)
                .forks(FORKS)
                .threads(1)
                .warmupIterations(WARMUP_ITERATIONS)
                .warmupTime(TimeValue.seconds(2))
                .measurementIterations(ITERATIONS)
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
