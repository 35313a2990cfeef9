package io.losswatch.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.topology.Names;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * The alert step inside the real topology (LosswatchTopology.build) under TopologyTestDriver. Windows
 * are built from alternating losses so their mean and spread are exact: a baseline window is 100
 * losses alternating 0.7 and 0.1 (mean 0.4, per-event σ 0.3, next to no skew), so once warm the alert level
 * for 100 events is 0.4 + max(2.75 × 0.03, 0.2 × 0.4) = 0.4825 and the resolve level 0.4 + 0.25 × 0.0825
 * = 0.420625. A "moderate" window alternates 0.2 and 0.8 (mean 0.5, +25%): it breaches, yet is too mild
 * for the sequential detector to fire within a few windows.
 */
class AlertTopologyTest {
    static final long T0 = Scenario.T0;
    static final long MIN = 60_000;
    static final double LEVEL = 0.4825;
    static final double RESOLVE = 0.420625;

    /** Window w of model/version: n losses alternating a and b, evenly spread over the minute. */
    static void window(TopologyRunner r, String model, String version, int w, double a, double b, int n) {
        for (int i = 0; i < n; i++) {
            r.sendLoss(model, version, T0 + w * MIN + i * (MIN / n), i % 2 == 0 ? a : b);
        }
    }

    /** Ends on its low loss, so the sequential statistic is back at zero when the window ends. */
    static void normal(TopologyRunner r, String model, int w) {
        window(r, model, "v1", w, 0.7, 0.1, 100);
    }

    static void moderate(TopologyRunner r, String model, int w) {
        window(r, model, "v1", w, 0.2, 0.8, 100);
    }

    /** Closes every window up to w (exclusive) by moving stream time on. */
    static void closeUpTo(TopologyRunner r, int w) {
        r.advanceTo(T0 + w * MIN + 10_000);
    }

    @Test
    void relativeRuleFiresOnceAfterTwoWindowsAndResolvesWithHysteresis() {
        try (TopologyRunner r = new TopologyRunner(Map.of())) {
            int w = 0;
            for (; w < 8; w++) {
                normal(r, "churn", w);
            }
            moderate(r, "churn", w++);
            closeUpTo(r, w);
            assertThat(r.alerts()).as("one breaching window is not enough").isEmpty();
            moderate(r, "churn", w++);
            closeUpTo(r, w);

            List<TopologyRunner.AlertRecord> fired = r.alerts();
            assertThat(fired).hasSize(1);
            TopologyRunner.AlertRecord a = fired.get(0);
            assertThat(a.key()).isEqualTo("churn");
            JsonNode v = a.value();
            assertThat(v.get("model").asText()).isEqualTo("churn");
            assertThat(v.get("model_version").asText()).isEqualTo("v1");
            assertThat(v.get("status").asText()).isEqualTo("FIRING");
            assertThat(v.get("rule").asText()).isEqualTo("relative_to_baseline");
            assertThat(v.get("mean_loss").asDouble()).isCloseTo(0.5, within(1e-9));
            assertThat(v.get("baseline").asDouble()).isCloseTo(0.4, within(1e-9));
            assertThat(v.get("threshold").asDouble()).isCloseTo(LEVEL, within(1e-3));
            assertThat(v.get("window_start").asLong()).isEqualTo(T0 + 9 * MIN);
            assertThat(v.get("window_end").asLong()).isEqualTo(T0 + 10 * MIN);
            assertThat(v.get("count").asLong()).isEqualTo(100);
            assertThat(v.get("message").asText()).contains("churn", "above the alert level 0.48");

            // still degraded: no second FIRING
            for (int i = 0; i < 5; i++) {
                moderate(r, "churn", w++);
            }
            // between the resolve and the alert level: still firing (hysteresis)
            for (int i = 0; i < 3; i++) {
                window(r, "churn", "v1", w++, 0.13, 0.73, 100); // mean 0.43
            }
            closeUpTo(r, w);
            assertThat(r.alerts()).isEmpty();

            for (int i = 0; i < 3; i++) {
                normal(r, "churn", w++);
            }
            closeUpTo(r, w);
            assertThat(r.alerts()).as("three clear windows of the four needed").isEmpty();
            normal(r, "churn", w++);
            closeUpTo(r, w);
            List<TopologyRunner.AlertRecord> resolved = r.alerts();
            assertThat(resolved).hasSize(1);
            JsonNode res = resolved.get(0).value();
            assertThat(res.get("status").asText()).isEqualTo("RESOLVED");
            assertThat(res.get("rule").asText()).isEqualTo("relative_to_baseline");
            assertThat(res.get("threshold").asDouble()).isCloseTo(RESOLVE, within(1e-3));
            assertThat(res.get("window_start").asLong()).isEqualTo(T0 + (w - 1) * MIN);
        }
    }

    @Test
    void warmUpThenAModestModelIsProtectedWithinTenWindows() {
        // 200 labelled events a window, watched from its very first window; degraded from the 9th
        try (TopologyRunner r = new TopologyRunner(Map.of())) {
            for (int w = 0; w < 8; w++) {
                window(r, "modest", "v1", w, 0.1, 0.7, 200);
            }
            for (int w = 8; w < 14; w++) {
                window(r, "modest", "v1", w, 0.2, 0.8, 200);
            }
            closeUpTo(r, 14);
            List<TopologyRunner.AlertRecord> alerts = r.alerts();
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).status()).isEqualTo("FIRING");
            assertThat(alerts.get(0).value().get("window_end").asLong()).isLessThanOrEqualTo(T0 + 10 * MIN);
        }
    }

    @Test
    void aModelIsNotJudgedBeforeItsBaselineIsWarm() {
        try (TopologyRunner r = new TopologyRunner(Map.of())) {
            // its first windows are all it has: whatever they are, they are its baseline
            for (int w = 0; w < 8; w++) {
                window(r, "new", "v1", w, w < 4 ? 0.1 : 0.3, w < 4 ? 0.7 : 1.3, 100);
            }
            closeUpTo(r, 8);
            assertThat(r.alerts()).isEmpty();
        }
    }

    @Test
    void windowsBelowTheMinimumCountNeverFireUnlessTheModelSaysSo() {
        Map<String, String> settings = Map.of("losswatch.model.small.alert.min.count", "50");
        try (TopologyRunner r = new TopologyRunner(settings)) {
            for (int w = 0; w < 8; w++) {
                window(r, "tiny", "v1", w, 0.1, 0.7, 98);
                window(r, "small", "v1", w, 0.1, 0.7, 98);
            }
            for (int w = 8; w < 12; w++) {
                window(r, "tiny", "v1", w, 0.2, 0.8, 98);
                window(r, "small", "v1", w, 0.2, 0.8, 98);
            }
            closeUpTo(r, 12);
            List<TopologyRunner.AlertRecord> alerts = r.alerts();
            assertThat(alerts).extracting(TopologyRunner.AlertRecord::key).containsExactly("small");
            assertThat(alerts.get(0).status()).isEqualTo("FIRING");
        }
    }

    @Test
    void consecutiveWindowsPerModel() {
        Map<String, String> settings = Map.of("losswatch.model.careful.alert.consecutive.windows", "3");
        try (TopologyRunner r = new TopologyRunner(settings)) {
            for (int w = 0; w < 8; w++) {
                normal(r, "careful", w);
                normal(r, "quick", w);
            }
            for (int w = 8; w < 10; w++) {
                moderate(r, "careful", w);
                moderate(r, "quick", w);
            }
            closeUpTo(r, 10);
            assertThat(r.alerts()).extracting(TopologyRunner.AlertRecord::key).containsExactly("quick");
            moderate(r, "careful", 10);
            closeUpTo(r, 11);
            List<TopologyRunner.AlertRecord> alerts = r.alerts();
            assertThat(alerts).extracting(TopologyRunner.AlertRecord::key).containsExactly("careful");
            assertThat(alerts.get(0).value().get("window_start").asLong()).isEqualTo(T0 + 10 * MIN);
        }
    }

    @Test
    void absoluteThresholdPerModel() {
        Map<String, String> settings = Map.of("losswatch.model.churn.alert.absolute.threshold", "0.45");
        try (TopologyRunner r = new TopologyRunner(settings)) {
            // both models run at 0.5 from the start: only churn has a level that says it is too high
            for (int w = 0; w < 4; w++) {
                window(r, "churn", "v1", w, 0.2, 0.8, 100);
                window(r, "other", "v1", w, 0.2, 0.8, 100);
            }
            closeUpTo(r, 4);
            List<TopologyRunner.AlertRecord> alerts = r.alerts();
            assertThat(alerts).hasSize(1);
            JsonNode a = alerts.get(0).value();
            assertThat(a.get("model").asText()).isEqualTo("churn");
            assertThat(a.get("rule").asText()).isEqualTo("absolute_threshold");
            assertThat(a.get("threshold").asDouble()).isEqualTo(0.45);
            assertThat(a.get("baseline").isNull()).as("still warming up").isTrue();
            assertThat(a.get("window_start").asLong()).isEqualTo(T0 + MIN);
        }
    }

    @Test
    void sequentialDetectorFiresBeforeTheWindowCloses() {
        try (TopologyRunner r = new TopologyRunner(Map.of())) {
            for (int w = 0; w < 8; w++) {
                normal(r, "churn", w);
            }
            closeUpTo(r, 8);
            // from 08:00 every loss is 1.3 (3σ above the baseline): each adds 3 − 0.15 = 2.85, so the
            // detector passes 65 at the 23rd (22 × 2.85 = 62.7), 23.2 s into the window, long before it closes
            for (int i = 0; i < 40; i++) {
                r.sendLoss("churn", "v1", T0 + 8 * MIN + 10_000 + i * 600, 1.3);
            }
            assertThat(r.metrics()).as("window 8 is still open").noneMatch(m -> m.get("window_start").asLong()
                    == T0 + 8 * MIN);
            List<TopologyRunner.AlertRecord> alerts = r.alerts();
            assertThat(alerts).hasSize(1);
            JsonNode a = alerts.get(0).value();
            assertThat(a.get("rule").asText()).isEqualTo("sequential_change");
            assertThat(a.get("status").asText()).isEqualTo("FIRING");
            assertThat(a.get("mean_loss").asDouble()).isCloseTo(1.3, within(1e-9));
            assertThat(a.get("baseline").asDouble()).isCloseTo(0.4, within(1e-9));
            assertThat(a.get("threshold").asDouble()).isCloseTo(0.4 + 0.15 * 0.3, within(1e-9));
            assertThat(a.get("count").asLong()).isEqualTo(23);
            assertThat(a.get("window_start").asLong()).isEqualTo(T0 + 8 * MIN);
            assertThat(alerts.get(0).timestamp()).as("the event that tripped it").isEqualTo(T0 + 8 * MIN + 10_000 + 22 * 600);

            // the window it fired in closes high, so do the next: no second FIRING
            for (int w = 9; w < 12; w++) {
                window(r, "churn", "v1", w, 1.3, 1.3, 100);
            }
            closeUpTo(r, 12);
            assertThat(r.alerts()).isEmpty();
        }
    }

    @Test
    void withHoppingWindowsEachLossReachesTheDetectorOnce() {
        // two-minute windows every minute: every event is in two windows' partials, yet counts once
        Map<String, String> hopping = Map.of("losswatch.window.size", "PT2M", "losswatch.window.advance", "PT1M");
        try (TopologyRunner r = new TopologyRunner(hopping)) {
            for (int w = 0; w < 9; w++) {
                normal(r, "churn", w);
            }
            closeUpTo(r, 9);
            assertThat(r.alerts()).isEmpty();
            // baseline 0.4, σ 0.3 as with one-minute windows: 1.3 adds 0.9/0.3 − 0.15 = 2.85, the 23rd passes 65
            for (int i = 0; i < 40; i++) {
                r.sendLoss("churn", "v1", T0 + 9 * MIN + 10_000 + i * 600, 1.3);
            }
            List<TopologyRunner.AlertRecord> alerts = r.alerts();
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).rule()).isEqualTo("sequential_change");
            assertThat(alerts.get(0).value().get("count").asLong()).isEqualTo(23);
            assertThat(alerts.get(0).timestamp()).as("the 23rd event tripped it")
                    .isEqualTo(T0 + 9 * MIN + 10_000 + 22 * 600);
            assertThat(alerts.get(0).value().get("baseline").asDouble()).isCloseTo(0.4, within(1e-9));
        }
    }

    @Test
    void oneConfidentMistakeNeverFires() {
        try (TopologyRunner r = new TopologyRunner(Map.of())) {
            for (int w = 0; w < 30; w++) {
                for (int i = 0; i < 200; i++) {
                    long t = T0 + w * MIN + i * 300L;
                    if (w >= 8 && i == 100) {
                        // label 1, prediction 0: clipped to 1e-15, loss 34.54 (instead of a 0.7), every window from the 9th
                        r.send("churn", "v1", t, new Synthetic.Sample(0.0, 1, true, 34.538776394910684));
                    } else {
                        r.sendLoss("churn", "v1", t, i % 2 == 0 ? 0.7 : 0.1);
                    }
                }
            }
            closeUpTo(r, 30);
            List<JsonNode> metrics = r.metrics();
            assertThat(metrics.get(10).get("max_loss").asDouble()).isCloseTo(34.538776, within(1e-6));
            assertThat(metrics.get(10).get("mean_loss").asDouble()).as("above the alert level by itself")
                    .isGreaterThan(0.4 + 2.75 * 0.3 / Math.sqrt(200));
            assertThat(r.alerts()).isEmpty();
        }
    }

    @Test
    void aNewVersionStartsItsOwnBaseline() {
        try (TopologyRunner r = new TopologyRunner(Map.of())) {
            int w = 0;
            for (; w < 8; w++) {
                normal(r, "churn", w);
            }
            moderate(r, "churn", w++);
            moderate(r, "churn", w++);
            closeUpTo(r, w);
            assertThat(r.alerts()).extracting(a -> a.value().get("model_version").asText()).containsExactly("v1");
            // v2 replaces it at a level twice v1's baseline: it is judged against its own history, not v1's
            for (int i = 0; i < 10; i++) {
                window(r, "churn", "v2", w++, 0.2, 1.4, 100); // mean 0.8, σ 0.6
            }
            closeUpTo(r, w);
            assertThat(r.alerts()).isEmpty();
            // then v2 degrades: its own alert, with its own baseline
            window(r, "churn", "v2", w++, 0.5, 1.5, 100); // mean 1.0, above 0.8 + 2.75 × 0.06
            window(r, "churn", "v2", w++, 0.5, 1.5, 100);
            closeUpTo(r, w);
            List<TopologyRunner.AlertRecord> alerts = r.alerts();
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).key()).isEqualTo("churn");
            assertThat(alerts.get(0).value().get("model_version").asText()).isEqualTo("v2");
            assertThat(alerts.get(0).value().get("baseline").asDouble()).isCloseTo(0.8, within(1e-9));
        }
    }

    @Test
    void aModelThatGoesSilentDoesNotFire() {
        try (TopologyRunner r = new TopologyRunner(Map.of())) {
            for (int w = 0; w < 10; w++) {
                normal(r, "quiet", w);
            }
            // only the clock moves for an hour of event time; its windows hold one event and are ignored
            for (int w = 10; w < 70; w++) {
                closeUpTo(r, w);
            }
            assertThat(r.alerts()).isEmpty();
        }
    }

    @Test
    void afterARestartAFiringAlertDoesNotFireAgainAndStillResolves() {
        Map<String, List<KeyValue<Object, Object>>> stores;
        try (TopologyRunner r = new TopologyRunner(Map.of())) {
            for (int w = 0; w < 8; w++) {
                normal(r, "churn", w);
            }
            moderate(r, "churn", 8);
            moderate(r, "churn", 9);
            closeUpTo(r, 10);
            assertThat(r.alerts()).extracting(TopologyRunner.AlertRecord::status).containsExactly("FIRING");
            Object kept = r.driver.getKeyValueStore(AlertStep.STATE_STORE).get(AlertProcessor.stateKey("churn", "v1"));
            assertThat(kept).isInstanceOf(AlertState.class);
            assertThat(((AlertState) kept).firing()).isTrue();
            stores = r.snapshot();
        }
        // a new instance whose stores are restored (as from their changelogs)
        try (TopologyRunner r = new TopologyRunner(Map.of())) {
            r.restore(stores);
            for (int w = 10; w < 14; w++) {
                moderate(r, "churn", w);
            }
            closeUpTo(r, 14);
            assertThat(r.alerts()).as("still firing after the restart: no second FIRING").isEmpty();
            for (int w = 14; w < 18; w++) {
                normal(r, "churn", w);
            }
            closeUpTo(r, 18);
            assertThat(r.alerts()).extracting(TopologyRunner.AlertRecord::status).containsExactly("RESOLVED");
        }
    }

    @Test
    void withoutItsStateTheSameDataWouldNotResolve() {
        // the restart test above means something only because a fresh instance behaves differently
        try (TopologyRunner r = new TopologyRunner(Map.of())) {
            for (int w = 10; w < 14; w++) {
                moderate(r, "churn", w);
            }
            for (int w = 14; w < 18; w++) {
                normal(r, "churn", w);
            }
            closeUpTo(r, 18);
            assertThat(r.alerts()).isEmpty();
        }
    }

    @Test
    void interimWindowsAreNotEvaluated() {
        try (TopologyRunner r = new TopologyRunner(Map.of("losswatch.metrics.emit", "update"))) {
            for (int w = 0; w < 8; w++) {
                normal(r, "churn", w);
            }
            for (int w = 8; w < 13; w++) {
                moderate(r, "churn", w);
            }
            closeUpTo(r, 13);
            assertThat(r.alerts()).extracting(TopologyRunner.AlertRecord::status).containsExactly("FIRING");
        }
    }

    @Test
    void alertsCanBeSwitchedOffGloballyOrPerModel() {
        Map<String, String> settings = Map.of("losswatch.alert.enabled", "false",
                "losswatch.model.watched.alert.enabled", "true");
        try (TopologyRunner r = new TopologyRunner(settings)) {
            for (int w = 0; w < 8; w++) {
                normal(r, "watched", w);
                normal(r, "ignored", w);
            }
            for (int w = 8; w < 10; w++) {
                moderate(r, "watched", w);
                moderate(r, "ignored", w);
            }
            closeUpTo(r, 10);
            assertThat(r.alerts()).extracting(TopologyRunner.AlertRecord::key).containsExactly("watched");
        }
    }

    @Test
    void everyStoreAndTopicOfTheAlertStepIsNamed() {
        try (TopologyRunner r = new TopologyRunner(Map.of())) {
            assertThat(r.driver.getAllStateStores()).containsKey(AlertStep.STATE_STORE);
        }
        String description = io.losswatch.topology.LosswatchTopology.build(
                io.losswatch.config.LosswatchConfig.from(new java.util.Properties())).describe().toString();
        assertThat(description).contains("alert-evaluator", "alerts-sink", Names.WINDOW_STORE);
        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-");
        // the alert step runs in the window aggregator's sub-topology: no shuffle of its own
        assertThat(description).doesNotContain("alert-intake-losses-by-model", "alert-joined-losses-by-model");
        String aggregatorSubTopology = subTopologyOf(description, "window-aggregator");
        assertThat(aggregatorSubTopology).contains("alert-evaluator", "Processor: alert-evaluator (stores: ["
                + AlertStep.STATE_STORE + ", " + AlertStep.LABEL_FREE_STATE_STORE + "])");
    }

    /** The part of a topology description that describes the sub-topology holding the named processor. */
    private static String subTopologyOf(String description, String processor) {
        for (String part : description.split("Sub-topology: ")) {
            if (part.contains("Processor: " + processor + " ")) {
                return part;
            }
        }
        throw new AssertionError(processor + " is in no sub-topology of\n" + description);
    }
}
