package io.losswatch.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the benchmark's input ({@link BenchData}: labelled binary predictions of the contract's shape, from
 * 100 models, evenly spread with ±2 s of disorder) as a JSON-lines file, for timing {@code replay
 * --predictions-file} on it (docs/benchmarks.md, Replay):
 * {@code java -cp target/losswatch.jar io.losswatch.bench.BenchFile EVENTS SPAN_SECONDS START_MS FILE}.
 */
public final class BenchFile {
    private BenchFile() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: BenchFile EVENTS SPAN_SECONDS START_MS FILE");
            System.exit(2);
        }
        long events = Long.parseLong(args[0]);
        long spanMs = Long.parseLong(args[1]) * 1000;
        BenchData data = new BenchData(events, 100, Long.parseLong(args[2]), spanMs);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[3])), 1 << 20)) {
            for (long i = 0; i < events; i++) {
                out.write(data.event(i));
                out.write('\n');
            }
        }
    }
}
