package io.losswatch.loss;

/**
 * Population stability index of a window's predicted values against a reference distribution, both
 * given as counts per psi bin ({@link PredictionPoint#driftBin}).
 *
 * <p>The bins are grouped into {@link #GROUPS} groups of about equal reference mass (the reference's
 * deciles), as psi is usually computed: with fine bins a window of a few hundred predictions leaves
 * most bins empty and psi would measure the window's size, not a shift. Each group's share is smoothed
 * by half a prediction, so an empty group gives a large but finite term.
 *
 * <p>What it cannot see: a change in how inputs map to outcomes that leaves the predicted values as
 * they were (concept shift), and shifts inside one group.
 */
public final class Psi {
    public static final int GROUPS = 10;

    private Psi() {
    }

    /**
     * Σ (a − e)·ln(a / e) over the groups, a the window's shares, e the reference's; null if either is empty.
     * Besides the reference's deciles (each of its bins a group of its own when it has no more than ten),
     * values below and above everything in the reference are groups of their own, where the reference has
     * no share (smoothed to half a prediction): a window that moves outside the reference's range shows,
     * however narrow the reference (a version that first predicted one value only).
     */
    public static Double of(SparseBins reference, SparseBins window) {
        double refTotal = reference.total(0);
        double winTotal = window.total(0);
        if (refTotal <= 0 || winTotal <= 0) {
            return null;
        }
        // group boundaries: the first bin of each group after the first, in bin order
        int[] starts = new int[Math.max(GROUPS, reference.size())];
        int groups = 1;
        double cumulative = 0;
        boolean eachBin = reference.size() <= GROUPS;
        for (int i = 0; i < reference.size(); i++) {
            if (i > 0 && (eachBin || (cumulative >= groups * refTotal / GROUPS && groups < GROUPS))) {
                starts[groups++] = reference.key(i);
            }
            cumulative += reference.value(i, 0);
        }
        int low = reference.key(0);
        int high = reference.key(reference.size() - 1);
        // [below the reference] [its groups...] [above it]
        double[] ref = new double[groups + 2];
        double[] win = new double[groups + 2];
        for (int i = 0; i < reference.size(); i++) {
            ref[1 + group(starts, groups, reference.key(i))] += reference.value(i, 0);
        }
        for (int i = 0; i < window.size(); i++) {
            int key = window.key(i);
            int g = key < low ? 0 : key > high ? groups + 1 : 1 + group(starts, groups, key);
            win[g] += window.value(i, 0);
        }
        int n = groups + 2;
        double psi = 0;
        for (int g = 0; g < n; g++) {
            double e = (ref[g] + 0.5) / (refTotal + 0.5 * n);
            double a = (win[g] + 0.5) / (winTotal + 0.5 * n);
            psi += (a - e) * Math.log(a / e);
        }
        return psi;
    }

    /** The group of bin key: the last group whose first bin is at or below it (keys below all go to the first). */
    private static int group(int[] starts, int groups, int key) {
        int g = 0;
        while (g + 1 < groups && starts[g + 1] <= key) {
            g++;
        }
        return g;
    }
}
