package io.losswatch.alert;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.config.Setting;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The alert rules' settings for one model: {@code losswatch.alert.<x>}, overridden per model by
 * {@code losswatch.model.<model>.alert.<x>}. The defaults were chosen by measurement
 * (docs/alerting.md, {@code AlertEvaluation}); every key is in the config registry, so a bad value
 * or an unknown key stops start-up. No setting depends on another, so each is checked on its own.
 *
 * @param enabled              whether the model is watched at all
 * @param minCount             labelled predictions a window needs before it counts (fire, resolve, learn)
 * @param warmupWindows        windows the baseline learns before the relative and sequential rules start
 * @param consecutiveWindows   K: consecutive breaching windows before a window rule fires
 * @param resolveWindows       consecutive windows under every resolve level before an alert resolves
 * @param baselineHalfLife     half-life, in windows, of the exponentially weighted baseline
 * @param absoluteThreshold    fire when a window's mean loss is above this; NaN: rule off
 * @param absoluteResolveRatio resolve when the mean is at most this fraction of the absolute threshold
 * @param relativeEnabled      whether the relative-to-baseline rule is on
 * @param relativeMinIncrease  the smallest rise over the baseline that fires, as a fraction of the baseline
 * @param relativeZ            ... and the rise must exceed this many standard errors of the window mean
 * @param relativeResolveRatio resolve when the mean is at most baseline + this fraction of the firing margin
 * @param sequentialEnabled    whether the per-event change detector is on
 * @param sequentialDrift      δ: per-event rise (in per-event standard deviations) the detector ignores
 * @param sequentialThreshold  λ: evidence (in per-event standard deviations) at which it fires
 * @param sequentialClip       per-event losses are clipped at baseline + this many standard deviations
 */
public record AlertSettings(boolean enabled, long minCount, int warmupWindows, int consecutiveWindows,
                            int resolveWindows, double baselineHalfLife, double absoluteThreshold,
                            double absoluteResolveRatio, boolean relativeEnabled, double relativeMinIncrease,
                            double relativeZ, double relativeResolveRatio, boolean sequentialEnabled,
                            double sequentialDrift, double sequentialThreshold, double sequentialClip) {

    static final String ENABLED = "alert.enabled";
    static final String MIN_COUNT = "alert.min.count";
    static final String WARMUP_WINDOWS = "alert.warmup.windows";
    static final String CONSECUTIVE_WINDOWS = "alert.consecutive.windows";
    static final String RESOLVE_WINDOWS = "alert.resolve.windows";
    static final String BASELINE_HALF_LIFE = "alert.baseline.half.life";
    static final String ABSOLUTE_THRESHOLD = "alert.absolute.threshold";
    static final String ABSOLUTE_RESOLVE_RATIO = "alert.absolute.resolve.ratio";
    static final String RELATIVE_ENABLED = "alert.relative.enabled";
    static final String RELATIVE_MIN_INCREASE = "alert.relative.min.increase";
    static final String RELATIVE_Z = "alert.relative.z";
    static final String RELATIVE_RESOLVE_RATIO = "alert.relative.resolve.ratio";
    static final String SEQUENTIAL_ENABLED = "alert.sequential.enabled";
    static final String SEQUENTIAL_DRIFT = "alert.sequential.drift";
    static final String SEQUENTIAL_THRESHOLD = "alert.sequential.threshold";
    static final String SEQUENTIAL_CLIP = "alert.sequential.clip";

    private static final String P = "losswatch.";
    private static final String NONE = "none";

    /**
     * The registry entries (global keys; each may also be set per model). Defaults are written as in
     * a properties file; the table in docs/alerting.md explains how each was chosen.
     */
    public static final List<Setting> SETTINGS = List.of(
            Setting.bool(P + ENABLED, "true", "watch models for drift and publish alerts"),
            Setting.integer(P + MIN_COUNT, "100", 1, 1_000_000_000,
                    "labelled predictions a window needs before it can fire, resolve or teach the baseline"),
            Setting.integer(P + WARMUP_WINDOWS, "8", 2, 10_000,
                    "windows the baseline learns before the relative and sequential rules start"),
            Setting.integer(P + CONSECUTIVE_WINDOWS, "2", 1, 1_000,
                    "consecutive breaching windows before a window rule fires"),
            Setting.integer(P + RESOLVE_WINDOWS, "4", 1, 1_000,
                    "consecutive windows below every resolve level before a firing alert resolves"),
            Setting.decimal(P + BASELINE_HALF_LIFE, "120", 0, 1e9,
                    "half-life, in windows, of the exponentially weighted baseline (mean and spread)"),
            noneOrPositive(P + ABSOLUTE_THRESHOLD,
                    "fire when a window's mean loss is above this (none: off; the scale depends on the loss)"),
            Setting.decimal(P + ABSOLUTE_RESOLVE_RATIO, "0.9", 0, 1,
                    "an absolute alert resolves when the mean is at most this fraction of the threshold"),
            Setting.bool(P + RELATIVE_ENABLED, "true", "fire when a window's mean loss rises well above the baseline"),
            Setting.decimal(P + RELATIVE_MIN_INCREASE, "0.2", 0, 1e9,
                    "the smallest rise over the baseline that fires, as a fraction of the baseline"),
            Setting.decimal(P + RELATIVE_Z, "2.75", 0, 1e3,
                    "the rise must also exceed this many standard errors of the window mean"),
            Setting.decimal(P + RELATIVE_RESOLVE_RATIO, "0.25", 0, 1,
                    "resolve when the mean is at most baseline + this fraction of the firing margin"),
            Setting.bool(P + SEQUENTIAL_ENABLED, "true",
                    "Page-Hinkley detector on per-event losses: catches a sharp rise before the window closes"),
            Setting.decimal(P + SEQUENTIAL_DRIFT, "0.15", 0, 1e3,
                    "rise per event, in per-event standard deviations, the detector tolerates"),
            Setting.decimal(P + SEQUENTIAL_THRESHOLD, "65", 0, 1e6,
                    "evidence, in per-event standard deviations, at which the detector fires"),
            Setting.decimal(P + SEQUENTIAL_CLIP, "8", 0, 1e3,
                    "per-event losses above baseline + this many standard deviations count as that much"));

    /** The per-model suffixes: every alert key may be set as losswatch.model.&lt;model&gt;.&lt;suffix&gt;. */
    public static final List<String> PER_MODEL = SETTINGS.stream()
            .map(s -> s.key().substring(P.length())).toList();

    private static final Map<String, Setting> BY_SUFFIX = SETTINGS.stream()
            .collect(Collectors.toMap(s -> s.key().substring(P.length()), s -> s));

    /** The documented defaults. */
    public static final AlertSettings DEFAULTS = resolve(suffix -> null);

    /** A model's settings from the validated configuration. */
    public static AlertSettings forModel(LosswatchConfig config, String model) {
        return resolve(suffix -> config.forModel(model, suffix));
    }

    /**
     * Settings from a lookup of parsed values by suffix (e.g. {@code alert.min.count}); a null value
     * takes the default. Values are the registry's parsed types: Boolean-like strings, Long, Double.
     */
    public static AlertSettings resolve(Function<String, Object> parsedValue) {
        Function<String, Object> v = suffix -> {
            Object value = parsedValue.apply(suffix);
            if (value == null) {
                Setting s = BY_SUFFIX.get(suffix);
                value = s.parse(s.defaultValue(), " (default)");
            }
            return value;
        };
        return new AlertSettings(
                "true".equals(v.apply(ENABLED)),
                (Long) v.apply(MIN_COUNT),
                Math.toIntExact((Long) v.apply(WARMUP_WINDOWS)),
                Math.toIntExact((Long) v.apply(CONSECUTIVE_WINDOWS)),
                Math.toIntExact((Long) v.apply(RESOLVE_WINDOWS)),
                (Double) v.apply(BASELINE_HALF_LIFE),
                (Double) v.apply(ABSOLUTE_THRESHOLD),
                (Double) v.apply(ABSOLUTE_RESOLVE_RATIO),
                "true".equals(v.apply(RELATIVE_ENABLED)),
                (Double) v.apply(RELATIVE_MIN_INCREASE),
                (Double) v.apply(RELATIVE_Z),
                (Double) v.apply(RELATIVE_RESOLVE_RATIO),
                "true".equals(v.apply(SEQUENTIAL_ENABLED)),
                (Double) v.apply(SEQUENTIAL_DRIFT),
                (Double) v.apply(SEQUENTIAL_THRESHOLD),
                (Double) v.apply(SEQUENTIAL_CLIP));
    }

    /** Settings from raw strings by full key (as in a properties file), for tests and tools. */
    public static AlertSettings fromRaw(String model, Function<String, String> rawValue) {
        return resolve(suffix -> {
            String raw = rawValue.apply("losswatch.model." + model + "." + suffix);
            String key = "losswatch.model." + model + "." + suffix;
            if (raw == null) {
                raw = rawValue.apply(P + suffix);
                key = P + suffix;
            }
            if (raw == null) {
                return null;
            }
            Setting s = BY_SUFFIX.get(suffix);
            return new Setting(key, s.defaultValue(), s.expected(), s.parser(), s.description()).parse(raw, "");
        });
    }

    /** Whether the absolute threshold rule is on. */
    public boolean absoluteEnabled() {
        return !Double.isNaN(absoluteThreshold);
    }

    /** Weight of a new window in the exponentially weighted baseline once warm. */
    double baselineAlpha() {
        return 1.0 - Math.pow(0.5, 1.0 / baselineHalfLife);
    }

    /** "none" (off, parsed as NaN) or a positive finite number. */
    private static Setting noneOrPositive(String key, String description) {
        return new Setting(key, NONE, "none or a number greater than 0", v -> {
            if (NONE.equals(v)) {
                return Double.NaN;
            }
            double d = Double.parseDouble(v);
            if (!(d > 0 && d < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("out of range");
            }
            return d;
        }, description);
    }
}
