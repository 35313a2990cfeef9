package io.losswatch.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which model a dead letter names: read from its original value (CONTRACT §4 shape) or none. */
class TopicFeedTest {
    @Test
    void aDeadLetterNamesTheTopLevelModelStringOfAJsonObject() {
        assertThat(named("{\"model\": \"churn\", \"prediction\": 1.5, \"label\": 1}")).isEqualTo("churn");
        assertThat(named("{\"meta\": {\"model\": \"inner\"}, \"x\": [1, {\"model\": \"no\"}], \"model\": \"outer\"}"))
                .isEqualTo("outer");
        // broken after the model field: still names it (read no further)
        assertThat(named("{\"model\": \"churn\", \"prediction\": ")).isEqualTo("churn");
    }

    @Test
    void namesNoModelWhenThereIsNoUsableName() {
        assertThat(named("not json")).isNull();
        assertThat(named("[{\"model\": \"churn\"}]")).isNull();
        assertThat(named("{\"prediction\": 0.5}")).isNull();
        assertThat(named("{\"model\": 7}")).isNull();
        assertThat(named("{\"model\": \"\"}")).isNull();
        assertThat(named("{\"model\": \"" + "m".repeat(1025) + "\"}")).isNull(); // the intake's limit is 1024
        assertThat(named("{\"model\": \"" + "m".repeat(1024) + "\"}")).hasSize(1024);
        assertThat(TopicFeed.namedModel(null)).isNull();
        byte[] big = ("{\"model\": \"churn\", \"pad\": \"" + "x".repeat(TopicFeed.DEAD_LETTER_READ_BYTES) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(TopicFeed.namedModel(big)).isNull(); // oversized: not read
    }

    private static String named(String value) {
        return TopicFeed.namedModel(value.getBytes(StandardCharsets.UTF_8));
    }
}
