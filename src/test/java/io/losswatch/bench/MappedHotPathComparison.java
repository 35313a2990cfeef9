package io.losswatch.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The §4 and mapped hot paths of {@link HotPathBenchmark} run in turn in one JVM, many short rounds,
 * and compared by the median of the per-round ratios: on a shared 2-core machine whose speed drifts
 * from minute to minute, two figures taken seconds apart in alternation compare better than two JMH
 * runs taken minutes apart. Prints ns an event (median, min) and the ratios to the §4 path.
 *
 * <p>{@code java -cp target/classes:target/test-classes:$(cat target/test.classpath)
 * io.losswatch.bench.MappedHotPathComparison [rounds] [read]}; "read" adds the readers alone and Jackson's tokenizer alone.
 */
public final class MappedHotPathComparison {
    private MappedHotPathComparison() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int warmup = 15;
        int batches = 40;
        HotPathBenchmark b = new HotPathBenchmark();
        b.setUp();
        Map<String, Supplier<Object>> paths = new LinkedHashMap<>();
        paths.put("parseScoreAggregate (§4)", b::parseScoreAggregate);
        paths.put("mappedFlatParseScoreAggregate", b::mappedFlatParseScoreAggregate);
        paths.put("mappedParseScoreAggregate (nested)", b::mappedParseScoreAggregate);
        if (args.length > 1 && args[1].equals("read")) {
            // the readers alone, without scoring and aggregation: where a difference comes from
            paths.put("read §4", () -> readAll(b.events, v -> b.parser.parsePrediction(v, 0L)));
            paths.put("read mapped flat", () -> readAll(b.events, v -> b.mappedSame.readPredictions(input(v))));
            paths.put("read mapped nested", () -> readAll(b.nested, v -> b.mapped.readPredictions(input(v))));
            // Jackson's tokenizer alone, every token of every record: what a shape costs before any reading
            paths.put("tokens §4", () -> tokens(b.events));
            paths.put("tokens nested", () -> tokens(b.nested));
        }
        Map<String, List<Double>> nsPerEvent = new LinkedHashMap<>();
        paths.keySet().forEach(k -> nsPerEvent.put(k, new ArrayList<>()));
        Object sink = null;
        for (int r = 0; r < warmup + rounds; r++) {
            for (Map.Entry<String, Supplier<Object>> path : paths.entrySet()) {
                long start = System.nanoTime();
                for (int i = 0; i < batches; i++) {
                    sink = path.getValue().get();
                }
                double ns = (System.nanoTime() - start) / (double) (batches * HotPathBenchmark.BATCH);
                if (r >= warmup) {
                    nsPerEvent.get(path.getKey()).add(ns);
                }
            }
        }
        List<Double> reference = nsPerEvent.values().iterator().next();
        System.out.printf("%-38s %12s %10s %22s%n", "path", "ns/event med", "min", "ratio to §4 (median)");
        for (Map.Entry<String, List<Double>> e : nsPerEvent.entrySet()) {
            double[] ratios = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                ratios[i] = e.getValue().get(i) / reference.get(i);
            }
            System.out.printf("%-38s %12.0f %10.0f %22.3f%n", e.getKey(), median(e.getValue()),
                    e.getValue().stream().mapToDouble(Double::doubleValue).min().orElseThrow(), median(ratios));
        }
        if (sink == null) {
            throw new IllegalStateException();
        }
    }

    private static io.losswatch.event.MappedRecordReader.Input input(byte[] value) {
        return new io.losswatch.event.MappedRecordReader.Input(null, value, h -> null, 0L);
    }

    private static Object readAll(byte[][] values, java.util.function.Function<byte[], Object> read) {
        Object last = null;
        for (byte[] v : values) {
            last = read.apply(v);
        }
        return last;
    }

    private static final com.fasterxml.jackson.core.JsonFactory JSON = new com.fasterxml.jackson.core.JsonFactory();

    private static Object tokens(byte[][] values) {
        long count = 0;
        for (byte[] v : values) {
            try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(v)) {
                while (p.nextToken() != null) {
                    count++;
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return count;
    }

    private static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
