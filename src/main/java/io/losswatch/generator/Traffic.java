package io.losswatch.generator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The synthetic traffic itself, as a pure function of the options, the seed and the start time: no
 * clock, no I/O. {@link #poll(long)} returns every record due by a given time, so the generator can
 * send in real time and a test can run ten minutes of traffic in a millisecond.
 *
 * <p>Predictions are spaced evenly at the configured rate; each one's event time is its slot in
 * that schedule. Models with an even index (the first, drifting one included) send the label inline;
 * the others send it later on the labels topic, a random 0 – label-delay after the prediction (its
 * event time is when it is due), and some never send it. A share of the records is malformed, each
 * one of {@link Kind#malformed() the malformed kinds}. Every record is keyed by its prediction id, so
 * the traffic spreads over all partitions of a topic, however few the models.
 *
 * <p>With {@link GeneratorOptions#lateModel()}, one more model ({@value LateModel#NAME}) sends predictions
 * on a schedule of its own at one model's share of the rate, with random draws of its own (so the others'
 * records are the same with or without it), never malformed; its labels come minutes late, and after a
 * while a growing share of its inputs are hard cases ({@link SimulatedModel#sampleShifted}).
 */
public final class Traffic {
    /** What a record is; the malformed kinds name the reason losswatch dead-letters them with. */
    public enum Kind {
        PREDICTION, LABEL, INVALID_JSON, OUT_OF_RANGE, MISSING_FIELD, UNMATCHED_LABEL;

        public boolean malformed() {
            return this != PREDICTION && this != LABEL;
        }

        /** The dead-letter reason losswatch gives this kind of record (null for good records). */
        public String reason() {
            return malformed() ? name().toLowerCase(Locale.ROOT) : null;
        }
    }

    /** One record to send. key may be null; timestamp is the event time, also used as the record time. */
    public record Outgoing(String topic, String key, String value, long timestamp, Kind kind, String model) {
    }

    /**
     * A model of the traffic, for the console: its expected log loss now and once drifted (concept drift,
     * drifts) or shifted (more hard cases, shifts: the late-labelled model).
     */
    public record ModelInfo(String name, String version, boolean labelsInline, double expectedLogLoss,
                            double driftedLogLoss, boolean drifts, boolean shifts) {
    }

    /** Salt for the late-labelled model's random draws, apart from the others'. */
    private static final long LATE_SALT = 0x6c6174656d6f646cL;

    private static final String[] NAMES = {"churn", "fraud", "credit-risk", "ctr", "spam", "upsell", "lead-score",
        "retention"};
    private static final Kind[] MALFORMED = {Kind.INVALID_JSON, Kind.OUT_OF_RANGE, Kind.MISSING_FIELD,
        Kind.UNMATCHED_LABEL};
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GeneratorOptions options;
    private final long startMs;
    private final String runTag;
    private final List<SimulatedModel> models = new ArrayList<>();
    private final List<ModelInfo> infos = new ArrayList<>();
    private final double driftAlpha;
    private final SplittableRandom rng;
    private final PriorityQueue<Outgoing> pendingLabels = new PriorityQueue<>(
            Comparator.comparingLong(Outgoing::timestamp).thenComparingLong(o -> sequenceOf(o.key()))
                    .thenComparing(Outgoing::key));
    private long slot;
    private long orphans;
    /** The late-labelled model, its random draws, full hard-case share and next slot; null without one. */
    private final SimulatedModel late;
    private final SplittableRandom lateRng;
    private final double lateHardShare;
    private long lateSlot;

    public Traffic(GeneratorOptions options, long startMs) {
        this.options = options;
        this.startMs = startMs;
        this.runTag = Long.toString(startMs, 36);
        SplittableRandom setup = new SplittableRandom(options.seed());
        for (int i = 0; i < options.models(); i++) {
            String name = i < NAMES.length ? NAMES[i] : "model-" + (i + 1);
            String version = "v" + (1 + setup.nextInt(9));
            models.add(new SimulatedModel(name, version, i % 2 == 0, setup.split()));
        }
        long calibrationSeed = setup.nextLong();
        SimulatedModel drifting = models.get(0);
        this.driftAlpha = drifting.alphaForRise(options.driftSize(), calibrationSeed);
        for (int i = 0; i < models.size(); i++) {
            SimulatedModel m = models.get(i);
            double base = m.expectedLogLoss(0, calibrationSeed);
            boolean drifts = i == 0 && driftAlpha > 0;
            infos.add(new ModelInfo(m.name, m.version, m.labelsInline, base,
                    drifts ? m.expectedLogLoss(driftAlpha, calibrationSeed) : base, drifts, false));
        }
        this.rng = setup.split();
        if (options.lateModel().isPresent()) {
            SplittableRandom lateSetup = new SplittableRandom(options.seed() ^ LATE_SALT);
            // a confident model (expected log loss about 0.3), so that hard cases can raise its loss well
            this.late = new SimulatedModel(LateModel.NAME, "v" + (1 + lateSetup.nextInt(9)), false, lateSetup.split(),
                    3.0, 1.0);
            long seed = lateSetup.nextLong();
            this.lateHardShare = late.hardShareForRise(options.lateModel().get().shiftSize(), seed);
            infos.add(new ModelInfo(late.name, late.version, false, late.expectedLogLoss(0, seed),
                    late.expectedLogLossShifted(lateHardShare, seed), false, lateHardShare > 0));
            this.lateRng = lateSetup.split();
        } else {
            this.late = null;
            this.lateRng = null;
            this.lateHardShare = 0;
        }
    }

    public List<ModelInfo> models() {
        return List.copyOf(infos);
    }

    public long startMs() {
        return startMs;
    }

    /** Every record due at or before nowMs that has not been returned yet, in time order. */
    public List<Outgoing> poll(long nowMs) {
        List<Outgoing> out = new ArrayList<>();
        while (true) {
            long nextPrediction = nextPredictionTime();
            long nextLate = nextLateTime();
            Outgoing label = pendingLabels.peek();
            long nextLabel = label == null ? Long.MAX_VALUE : label.timestamp();
            long next = Math.min(nextLabel, Math.min(nextPrediction, nextLate));
            if (next > nowMs) {
                return out;
            }
            if (nextLabel == next) {
                out.add(pendingLabels.poll());
            } else if (nextPrediction == next) {
                slot(nextPrediction, out);
                slot++;
            } else {
                lateSlot(nextLate, out);
                lateSlot++;
            }
        }
    }

    /** When the next record is due (Long.MAX_VALUE: nothing more will come). */
    public long nextDueMs() {
        Outgoing label = pendingLabels.peek();
        return Math.min(Math.min(nextPredictionTime(), nextLateTime()),
                label == null ? Long.MAX_VALUE : label.timestamp());
    }

    /** True once the duration is over and every label has been returned. */
    public boolean finished() {
        return nextDueMs() == Long.MAX_VALUE;
    }

    /** The first model's drift level at event time t: 0 before the drift starts, rising over the ramp. */
    double driftAlphaAt(long t) {
        long since = t - startMs - options.driftStart().toMillis();
        if (driftAlpha == 0 || since < 0) {
            return 0;
        }
        long ramp = options.driftRamp().toMillis();
        return ramp == 0 ? driftAlpha : driftAlpha * Math.min(1.0, (double) since / ramp);
    }

    /** The late-labelled model's share of hard cases at event time t: 0 before its shift, rising over the ramp. */
    double hardShareAt(long t) {
        if (late == null || lateHardShare == 0) {
            return 0;
        }
        LateModel l = options.lateModel().get();
        long since = t - startMs - l.shiftStart().toMillis();
        if (since < 0) {
            return 0;
        }
        long ramp = l.shiftRamp().toMillis();
        return ramp == 0 ? lateHardShare : lateHardShare * Math.min(1.0, (double) since / ramp);
    }

    private long nextLateTime() {
        if (late == null) {
            return Long.MAX_VALUE;
        }
        long t = startMs + (long) Math.floor(lateSlot * 1000.0 / options.lateModelRate());
        if (options.duration().isPresent() && t >= startMs + options.duration().get().toMillis()) {
            return Long.MAX_VALUE;
        }
        return t;
    }

    private void lateSlot(long t, List<Outgoing> out) {
        LateModel l = options.lateModel().get();
        SimulatedModel.Sample s = late.sampleShifted(lateRng, hardShareAt(t));
        String id = predictionId(late, lateSlot);
        if (lateRng.nextDouble() >= options.unlabelledShare()) {
            long spread = l.labelDelayMax().toMillis() - l.labelDelayMin().toMillis();
            long due = t + l.labelDelayMin().toMillis() + (long) (lateRng.nextDouble() * spread);
            ObjectNode label = JSON.createObjectNode();
            label.put("prediction_id", id);
            label.put("label", s.label());
            label.put("timestamp", due);
            pendingLabels.add(new Outgoing(options.labelsTopic(), id, label.toString(), due, Kind.LABEL, late.name));
        }
        out.add(new Outgoing(options.predictionsTopic(), id, prediction(id, late, t, s.score()).toString(), t,
                Kind.PREDICTION, late.name));
    }

    private long nextPredictionTime() {
        long t = startMs + (long) Math.floor(slot * 1000.0 / options.rate());
        if (options.duration().isPresent() && t >= startMs + options.duration().get().toMillis()) {
            return Long.MAX_VALUE;
        }
        return t;
    }

    private void slot(long t, List<Outgoing> out) {
        int index = rng.nextInt(models.size());
        SimulatedModel model = models.get(index);
        if (rng.nextDouble() < options.malformedShare()) {
            out.add(malformed(MALFORMED[rng.nextInt(MALFORMED.length)], model, t));
            return;
        }
        SimulatedModel.Sample s = model.sample(rng, index == 0 ? driftAlphaAt(t) : 0);
        String id = predictionId(model, slot);
        ObjectNode prediction = prediction(id, model, t, s.score());
        if (model.labelsInline) {
            prediction.put("label", s.label());
        } else if (rng.nextDouble() >= options.unlabelledShare()) {
            long due = t + (long) (rng.nextDouble() * options.labelDelay().toMillis());
            ObjectNode label = JSON.createObjectNode();
            label.put("prediction_id", id);
            label.put("label", s.label());
            label.put("timestamp", due);
            pendingLabels.add(new Outgoing(options.labelsTopic(), id, label.toString(), due, Kind.LABEL, model.name));
        }
        out.add(new Outgoing(options.predictionsTopic(), id, prediction.toString(), t, Kind.PREDICTION,
                model.name));
    }

    private Outgoing malformed(Kind kind, SimulatedModel model, long t) {
        String id = predictionId(model, slot);
        ObjectNode p = prediction(id, model, t, 0.5);
        p.put("label", 1);
        return switch (kind) {
            case INVALID_JSON -> {
                // a record cut short, as a crashed writer leaves it
                String whole = p.toString();
                String cut = whole.substring(0, 5 + rng.nextInt(whole.length() - 6));
                yield new Outgoing(options.predictionsTopic(), id, cut, t, kind, model.name);
            }
            case OUT_OF_RANGE -> {
                p.put("prediction", 1.01 + 0.99 * rng.nextDouble());
                yield new Outgoing(options.predictionsTopic(), id, p.toString(), t, kind, model.name);
            }
            case MISSING_FIELD -> {
                p.remove("model");
                yield new Outgoing(options.predictionsTopic(), id, p.toString(), t, kind, model.name);
            }
            case UNMATCHED_LABEL -> {
                String orphan = model.name + "-" + runTag + "-orphan-" + (++orphans);
                ObjectNode label = JSON.createObjectNode();
                label.put("prediction_id", orphan);
                label.put("label", 1);
                label.put("timestamp", t);
                yield new Outgoing(options.labelsTopic(), orphan, label.toString(), t, kind, model.name);
            }
            default -> throw new IllegalArgumentException("not a malformed kind: " + kind);
        };
    }

    private ObjectNode prediction(String id, SimulatedModel model, long t, double score) {
        ObjectNode p = JSON.createObjectNode();
        p.put("prediction_id", id);
        p.put("model", model.name);
        p.put("model_version", model.version);
        p.put("timestamp", t);
        p.put("prediction", score);
        return p;
    }

    private String predictionId(SimulatedModel model, long n) {
        return model.name + "-" + runTag + "-" + n;
    }

    /** The slot number at the end of a prediction id, so labels due at the same time keep their order. */
    private static long sequenceOf(String id) {
        int dash = id.lastIndexOf('-');
        try {
            return Long.parseLong(id.substring(dash + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
