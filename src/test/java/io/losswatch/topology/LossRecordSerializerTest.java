package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.losswatch.topology.Routed.LossRecord;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming writer produces exactly the bytes data binding (Json.MAPPER) produces: the same generator, so the
 * same number formatting (the fast double writer since the sixth 2026-12-07 session; the text of a few doubles
 * changed then, never their value: JsonFastDoubleTest).
 */
class LossRecordSerializerTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void sameBytesAsDataBinding() throws Exception {
        JsonNode classes = F.objectNode().put("cat", 0.7).put("dog", 0.3);
        List<LossRecord> records = List.of(
                new LossRecord("p-1", "churn", "v7", "log_loss", 0.07257069283483537, F.numberNode(0.93), F.numberNode(1),
                        1_764_000_000_000L),
                new LossRecord(null, "ch\"ü\u0001\\/\t", "", "mse", 1e-300, F.numberNode(1e22), F.booleanNode(true), 0),
                new LossRecord("p-2", "m", "v", "cross_entropy", 34.538776394910684, classes, F.textNode("cat"), 5),
                new LossRecord("p-3", "m", "v", "mae", 0.0, F.numberNode(new java.math.BigInteger("123456789012345678901")),
                        F.numberNode(-0.0), Long.MAX_VALUE),
                new LossRecord("p-4", "m", "v", "brier", Double.MIN_VALUE, F.numberNode(3L), null, 1));
        Random random = new Random(7);
        LossRecordSerializer serializer = new LossRecordSerializer();
        for (LossRecord r : records) {
            assertThat(serializer.serialize("t", r)).asString().isEqualTo(Json.MAPPER.writeValueAsString(r));
        }
        for (int i = 0; i < 1_000; i++) {
            LossRecord r = new LossRecord("p-" + random.nextLong(), "model-" + (char) (32 + random.nextInt(500)), "v",
                    "log_loss", random.nextDouble() * 35, F.numberNode(random.nextDouble()), F.numberNode(random.nextInt(2)),
                    random.nextLong() & Long.MAX_VALUE);
            assertThat(serializer.serialize("t", r)).asString().isEqualTo(Json.MAPPER.writeValueAsString(r));
        }
        assertThat(serializer.serialize("t", null)).isNull();
    }
}
