package io.losswatch.bench;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;

/**
 * The benchmark's input, a pure function of (events, models, start time): labelled binary
 * predictions of the contract's shape, each from one of {@code models} models, event times spread
 * evenly over {@code spanMs} with a few seconds of disorder (well inside the default 10 s window
 * grace). Labels are drawn from a calibrated-ish model per model so losses vary as real ones do.
 *
 * <p>After the {@code events} data records come one end marker per input partition, with an event
 * time past every data window's end plus grace: they move each partition's clock on so every data
 * window becomes final. Their models' names start with {@link #END_MODEL}; their own windows stay open.
 */
final class BenchData {
    static final String END_MODEL = "bench-end";
    static final long WINDOW_MS = 60_000;
    static final long GRACE_MS = 10_000;
    /** Event-time disorder within the stream: ±2 s. */
    static final long JITTER_MS = 2_000;

    /** The segment fields of {@link #withSegments()} data (CONTRACT §11), and their values. */
    static final String SEGMENT_FIELDS = "country,device";
    static final String[] COUNTRIES = {"DE", "FR", "GB", "ES", "IT", "NL", "BE", "AT", "CH", "PL",
        "SE", "NO", "DK", "FI", "IE", "PT", "CZ", "HU", "RO", "GR"};
    static final String[] DEVICES = {"ios", "android", "web"};

    final long events;
    final int models;
    final long startMs;
    final long spanMs;
    /** Whether each record also has a country and a device (the with-segments run's input). */
    final boolean segmented;
    private final String[] modelNames;
    private final String[] versionNames;

    BenchData(long events, int models, long startMs, long spanMs) {
        this(events, models, startMs, spanMs, false);
    }

    private BenchData(long events, int models, long startMs, long spanMs, boolean segmented) {
        this.segmented = segmented;
        this.events = events;
        this.models = models;
        this.startMs = startMs;
        this.spanMs = spanMs;
        this.modelNames = new String[models];
        this.versionNames = new String[models];
        for (int m = 0; m < models; m++) {
            modelNames[m] = String.format("model-%05d", m);
            versionNames[m] = "v" + (1 + m % 3);
        }
    }

    /** The same events, each with a "country" (20 values) and a "device" (3 values) after its label. */
    BenchData withSegments() {
        return new BenchData(events, models, startMs, spanMs, true);
    }

    String country(long i) {
        return COUNTRIES[(int) Long.remainderUnsigned(mix(i ^ 0xC0FFEEL), COUNTRIES.length)];
    }

    String device(long i) {
        return DEVICES[(int) Long.remainderUnsigned(mix(i ^ 0xDE71CEL), DEVICES.length)];
    }

    /** A start time aligned to a window, far enough back that the data and its end markers lie in the past. */
    static long alignedStart(long nowMs, long spanMs) {
        long start = nowMs - spanMs - 3 * WINDOW_MS;
        return start - Math.floorMod(start, WINDOW_MS);
    }

    int model(long i) {
        return (int) Long.remainderUnsigned(mix(i), models);
    }

    String modelName(long i) {
        return modelNames[model(i)];
    }

    long eventTime(long i) {
        long jitter = Long.remainderUnsigned(mix(i ^ 0x5DEECE66DL), 2 * JITTER_MS + 1) - JITTER_MS;
        return Math.max(0, startMs + (long) ((double) i * spanMs / events) + jitter);
    }

    static long windowStart(long eventTime) {
        return eventTime - Math.floorMod(eventTime, WINDOW_MS);
    }

    /** Event time of the end markers: past the last data window's end plus the grace. */
    long endTime() {
        return windowStart(startMs + spanMs + JITTER_MS) + 2 * WINDOW_MS + GRACE_MS;
    }

    /** Record i as JSON: {"prediction_id", "model", "model_version", "timestamp", "prediction", "label"}. */
    byte[] event(long i) {
        int m = model(i);
        long r = mix(i * 31 + 7);
        // each model has its own skill: the true probability is the prediction pulled toward 0.5
        double prediction = (r >>> 11) * 0x1.0p-53;
        double skill = 0.55 + 0.4 * ((m * 2654435761L & 0xffff) / 65535.0);
        double truth = 0.5 + skill * (prediction - 0.5);
        int label = ((mix(r) >>> 11) * 0x1.0p-53) < truth ? 1 : 0;
        byte[] json = json("p-" + i, modelNames[m], versionNames[m], eventTime(i), round4(prediction), label);
        if (!segmented) {
            return json;
        }
        String withSegments = new String(json, 0, json.length - 1, StandardCharsets.UTF_8)
                + ",\"country\":\"" + country(i) + "\",\"device\":\"" + device(i) + "\"}";
        return withSegments.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The end marker of input partition {@code partition} of {@code partitions}: its model is the first
     * of {@code bench-end-0}, {@code bench-end-1}, … that Kafka's default partitioner puts on that same
     * partition (of a topic with as many), so a program that re-keys by model and has no watermarks (the
     * naive peer) still gets one marker in each partition of its repartition topic, and closes its windows.
     */
    byte[] endMarker(int partition, int partitions) {
        return json("end-" + partition, endModel(partition, partitions), "", endTime(), 0.5, 1);
    }

    static String endModel(int partition, int partitions) {
        for (int k = 0; ; k++) {
            String name = END_MODEL + "-" + k;
            if (Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % partitions == partition) {
                return name;
            }
        }
    }

    /** A record for the latency phase: its id carries its sequence number. */
    byte[] latencyEvent(long seq, long eventTime) {
        int m = (int) Long.remainderUnsigned(mix(seq + 0x9E37L), models);
        return json("lat-" + seq, modelNames[m], versionNames[m], eventTime, round4(((mix(seq) >>> 11) * 0x1.0p-53)),
                (int) (seq & 1));
    }

    static byte[] json(String id, String model, String version, long time, double prediction, int label) {
        return ("{\"prediction_id\":\"" + id + "\",\"model\":\"" + model + "\",\"model_version\":\"" + version
                + "\",\"timestamp\":" + time + ",\"prediction\":" + prediction + ",\"label\":" + label + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The final windows the data must produce, (model, version, segment, window start) → labelled count:
     * with segments, each segment value's windows too ("country=DE"; "" for the whole model's).
     */
    Map<WindowKey, Long> expectedWindows() {
        Map<WindowKey, Long> windows = new HashMap<>();
        for (long i = 0; i < events; i++) {
            int m = model(i);
            long start = windowStart(eventTime(i));
            windows.merge(new WindowKey(modelNames[m], versionNames[m], start), 1L, Long::sum);
            if (segmented) {
                windows.merge(new WindowKey(modelNames[m], versionNames[m], "country=" + country(i), start), 1L, Long::sum);
                windows.merge(new WindowKey(modelNames[m], versionNames[m], "device=" + device(i), start), 1L, Long::sum);
            }
        }
        return windows;
    }

    /** A final window: segment is "field=value", or "" for the whole model's. */
    record WindowKey(String model, String version, String segment, long windowStart) {
        WindowKey(String model, String version, long windowStart) {
            this(model, version, "", windowStart);
        }
    }

    private static double round4(double p) {
        return Math.round(p * 10_000) / 10_000.0;
    }

    /** SplitMix64's finaliser: a stateless, well-spread hash of i. */
    static long mix(long i) {
        long z = i + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
