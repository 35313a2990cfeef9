package io.losswatch.generator;

import java.time.Duration;

/**
 * One more model beside the others, whose labels come minutes late (as chargebacks do) and which, after a
 * while, sees more hard cases: a covariate shift. The world does not change (the served model stays as
 * calibrated as it was), but a growing share of its inputs lie near the decision boundary, so its
 * predictions move towards the middle and its loss rises. Its predictions show that long before their
 * labels can: losswatch's label-free metrics (CONTRACT §9) are what sees it first.
 *
 * <p>It sends predictions at the rate of one of the other models (rate / models), on its own schedule and
 * with its own random draws, so the other models' traffic is the same with or without it.
 *
 * @param labelDelayMin its labels come a uniformly random labelDelayMin – labelDelayMax after the prediction
 * @param labelDelayMax see labelDelayMin
 * @param shiftStart    time from the start when its hard cases start to grow
 * @param shiftRamp     how long they take to reach their full share (0: at once)
 * @param shiftSize     how much its expected log loss rises (0: no shift; capped by every case being hard)
 */
public record LateModel(Duration labelDelayMin, Duration labelDelayMax, Duration shiftStart, Duration shiftRamp,
                        double shiftSize) {
    /** Its name: unlike the others' names, never one of the first models'. */
    public static final String NAME = "chargeback";

    public LateModel {
        check(!labelDelayMin.isNegative(), "--late-label-delay-min", "a duration of zero or more", labelDelayMin);
        check(labelDelayMax.compareTo(labelDelayMin) >= 0, "--late-label-delay-max",
                "a longest delay at least the shortest (" + labelDelayMin + ")", labelDelayMax);
        check(!shiftStart.isNegative(), "--shift-start", "a duration of zero or more", shiftStart);
        check(!shiftRamp.isNegative(), "--shift-ramp", "a duration of zero or more", shiftRamp);
        check(shiftSize >= 0 && shiftSize <= 10, "--shift-size", "a rise in log loss from 0 to 10", shiftSize);
    }

    private static void check(boolean ok, String option, String expected, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(option + "=" + value + ": expected " + expected);
        }
    }
}
