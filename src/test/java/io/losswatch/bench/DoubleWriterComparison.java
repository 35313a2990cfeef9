package io.losswatch.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.losswatch.topology.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A loss record's fields written as the loss-record serialiser writes them, on {@link Json#MAPPER}'s factory
 * (Jackson's fast double writer on) and on the same factory with it off, in turn in one JVM, many short
 * rounds (which goes first alternating), compared by the median of the per-round ratios of thread CPU time (as
 * {@link MappedHotPathComparison}).
 * The predictions and labels are the bench's ({@link BenchData}), so the losses are the bench's too.
 *
 * <p>{@code java -cp target/classes:target/test-classes:$(cat target/test.classpath)
 * io.losswatch.bench.DoubleWriterComparison [rounds]}
 */
public final class DoubleWriterComparison {
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final int EVENTS = 200_000;

    private DoubleWriterComparison() {
    }

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        JsonFactory fast = Json.MAPPER.getFactory();
        JsonFactory plain = fast.copy();
        plain.disable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER.mappedFeature());
        if (!fast.isEnabled(StreamWriteFeature.USE_FAST_DOUBLE_WRITER) || plain.isEnabled(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)) {
            throw new IllegalStateException("the two factories must differ in the fast double writer only");
        }
        BenchData data = new BenchData(EVENTS, 100, BenchData.alignedStart(1_764_000_000_000L, 3_600_000), 3_600_000);
        double[] prediction = new double[EVENTS];
        int[] label = new int[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            var node = Json.MAPPER.readTree(data.event(i));
            prediction[i] = node.get("prediction").doubleValue();
            label[i] = node.get("label").intValue();
        }
        List<Double> ratios = new ArrayList<>();
        List<Double> plainNs = new ArrayList<>();
        List<Double> fastNs = new ArrayList<>();
        for (int r = 0; r < rounds + 10; r++) {
            // which goes first alternates from round to round, so neither always runs on what the other left
            boolean plainFirst = r % 2 == 0;
            double p = plainFirst ? write(plain, prediction, label) : 0;
            double f = write(fast, prediction, label);
            if (!plainFirst) {
                p = write(plain, prediction, label);
            }
            if (r >= 10) { // the first rounds warm the JIT up
                plainNs.add(p);
                fastNs.add(f);
                ratios.add(f / p);
            }
        }
        System.out.printf(Locale.ROOT, "plain %.0f CPU ns a record, fast %.0f; fast/plain median %.3f (min %.3f, max %.3f), %d rounds%n",
                BenchResult.median(plainNs), BenchResult.median(fastNs), BenchResult.median(ratios),
                Collections.min(ratios), Collections.max(ratios), rounds);
    }

    /** CPU ns a record: the fields LossRecordSerializer writes, in its order, on one reused generator. */
    private static double write(JsonFactory factory, double[] prediction, int[] label) throws IOException {
        ByteArrayBuilder buffer = new ByteArrayBuilder(256);
        JsonGenerator g = factory.createGenerator(buffer);
        g.setRootValueSeparator(null);
        long bytes = 0;
        long start = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < prediction.length; i++) {
            double p = prediction[i];
            double loss = label[i] == 1 ? -Math.log(p) : -Math.log(1 - p);
            g.writeStartObject();
            g.writeStringField("prediction_id", "bench-" + i);
            g.writeStringField("model", "model-00042");
            g.writeStringField("model_version", "v1");
            g.writeStringField("loss_function", "log_loss");
            g.writeNumberField("loss", loss);
            g.writeFieldName("prediction");
            g.writeNumber(p);
            g.writeFieldName("label");
            g.writeNumber(label[i]);
            g.writeNumberField("event_time", 1_764_000_000_000L + i);
            g.writeEndObject();
            g.flush();
            bytes += buffer.toByteArray().length;
            buffer.reset();
        }
        double ns = (CPU.getCurrentThreadCpuTime() - start) / (double) prediction.length;
        if (bytes == 0) {
            throw new IllegalStateException("nothing written");
        }
        return ns;
    }
}
