package io.losswatch.bench;

import io.losswatch.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The benchmark's broker, as its own JVM: {@code java -Xmx1g -cp losswatch.jar io.losswatch.bench.BenchBroker
 * PORT DIR} starts the embedded single-node KRaft broker, prints {@code READY host:port} and runs
 * until its standard input closes (so it never outlives the bench that started it).
 */
public final class BenchBroker {
    static final String READY = "READY ";

    private BenchBroker() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: BenchBroker PORT DIR");
            System.exit(2);
        }
        EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[1]), Integer.parseInt(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "bench-broker-shutdown"));
        System.out.println(READY + kafka.bootstrapServers());
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // the parent writes nothing; end of input means it has gone
        }
        kafka.close();
        System.exit(0);
    }
}
