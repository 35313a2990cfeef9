package io.losswatch.topology;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.RejectReason;
import io.losswatch.event.SourceRecord;
import io.losswatch.loss.WindowStats;
import io.losswatch.topology.Routed.Contribution;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Sums contributions into tumbling or hopping event-time windows per (model, model_version) and
 * emits each window once it is final: stream time has passed its end + grace AND none of its
 * predictions is still waiting for a label. Waiting for pending labels is what makes the final
 * record exact: a label that arrives within the join window still lands in its prediction's window.
 *
 * <p>The store is keyed by window start first, so the windows due to close are a range scan.
 */
final class WindowAggregator implements Processor<String, Contribution, String, Routed> {
    private final long sizeMs;
    private final long advanceMs;
    private final long graceMs;
    private final boolean emitUpdates;
    private final PipelineListener listener;
    private ProcessorContext<String, Routed> context;
    private KeyValueStore<Bytes, WindowStats> windows;
    /** Latest window start already scanned for closing; not kept: a restart just scans once more. */
    private long scannedUpTo = Long.MIN_VALUE;

    WindowAggregator(LosswatchConfig config, PipelineListener listener) {
        this.listener = listener;
        this.sizeMs = config.windowSize().toMillis();
        this.advanceMs = config.windowAdvance().toMillis();
        this.graceMs = config.windowGrace().toMillis();
        this.emitUpdates = "UPDATE".equals(config.metricsEmit().name());
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
        this.windows = context.getStateStore(Names.WINDOW_STORE);
    }

    @Override
    public void process(Record<String, Contribution> record) {
        Contribution c = record.value();
        long streamTime = context.currentStreamTimeMs();
        List<Long> closed = new ArrayList<>();
        // every window [start, start + size) that holds the event time, start a multiple of advance
        long lastStart = c.eventTime() - Math.floorMod(c.eventTime(), advanceMs);
        for (long start = lastStart; start > c.eventTime() - sizeMs && start >= 0; start -= advanceMs) {
            Bytes key = windowKey(start, c.model(), c.modelVersion());
            WindowStats stats = windows.get(key);
            boolean due = start + sizeMs + graceMs <= streamTime;
            if (stats == null && due) {
                closed.add(start);
                continue;
            }
            if (stats == null) {
                stats = new WindowStats();
            }
            stats.merge(c.stats());
            if (due && stats.pending == 0) {
                emit(c.model(), c.modelVersion(), start, stats, true);
                windows.delete(key);
            } else {
                windows.put(key, stats);
                if (emitUpdates) {
                    emit(c.model(), c.modelVersion(), start, stats, false);
                }
            }
        }
        if (!closed.isEmpty()) {
            lateEvent(c, closed, streamTime);
        }
        closeDueWindows(streamTime);
    }

    /** Emits every window whose end + grace has passed and that has nothing pending. */
    private void closeDueWindows(long streamTime) {
        long lastDueStart = streamTime - sizeMs - graceMs;
        if (lastDueStart <= scannedUpTo || lastDueStart < 0) {
            return;
        }
        scannedUpTo = lastDueStart;
        List<KeyValue<Bytes, WindowStats>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, WindowStats> it = windows.range(startPrefix(0), startPrefix(lastDueStart + 1))) {
            it.forEachRemaining(kv -> {
                if (kv.value.pending == 0) {
                    due.add(kv);
                }
            });
        }
        for (KeyValue<Bytes, WindowStats> kv : due) {
            ByteBuffer key = ByteBuffer.wrap(kv.key.get());
            long start = key.getLong();
            byte[] model = new byte[key.getInt()];
            key.get(model);
            String version = StandardCharsets.UTF_8.decode(key).toString();
            emit(new String(model, StandardCharsets.UTF_8), version, start, kv.value, true);
            windows.delete(kv.key);
        }
    }

    private void emit(String model, String version, long start, WindowStats stats, boolean isFinal) {
        WindowMetrics m = WindowMetrics.of(model, version, start, start + sizeMs, stats, isFinal);
        context.forward(new Record<>(model, new Routed.Metrics(m), start + sizeMs - 1));
        if (isFinal) {
            listener.windowFinal(m);
        }
    }

    private void lateEvent(Contribution c, List<Long> closedStarts, long streamTime) {
        byte[] value = Json.MAPPER.valueToTree(c).toString().getBytes(StandardCharsets.UTF_8);
        SourceRecord source = new SourceRecord(c.sourceTopic(), c.sourcePartition(), c.sourceOffset(), c.eventTime(),
                c.model().getBytes(StandardCharsets.UTF_8), value);
        String message = "event time " + c.eventTime() + " falls in window(s) starting at " + closedStarts
                + " of model '" + c.model() + "', already final at stream time " + streamTime
                + " (window grace " + graceMs + " ms); its loss record was still written";
        context.forward(new Record<>(null, new Routed.DeadLetter(source, RejectReason.LATE_EVENT, message),
                c.eventTime()));
    }

    /** Window start (big-endian, sorts by time), then model (length-prefixed), then version. */
    static Bytes windowKey(long start, String model, String version) {
        byte[] m = model.getBytes(StandardCharsets.UTF_8);
        byte[] v = version.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(12 + m.length + v.length).putLong(start).putInt(m.length).put(m).put(v).array());
    }

    private static Bytes startPrefix(long start) {
        return Bytes.wrap(ByteBuffer.allocate(8).putLong(start).array());
    }
}
