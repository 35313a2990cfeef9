package io.losswatch.topology;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * What a replay (CONTRACT §12) hands the topology when its input has ended: the watermark the prediction
 * intake of a one-partition topology would send had the predictions' event time moved on to a given
 * time, on the two internal topics that carry watermarks. The window aggregator then closes every window
 * due by that time and the label join ends every wait, as they would live once later traffic moved event
 * time on; nothing else is sent, so no record of any model is made up.
 */
public final class EndOfInput {
    private EndOfInput() {
    }

    /**
     * Internal topic name (as {@code <application.id>-<name>-repartition}, the name Kafka Streams gives it)
     * → the serialized watermark at time for it.
     */
    public static Map<String, byte[]> watermarks(String applicationId, long time) {
        Routed.Watermark w = new Routed.Watermark(0, 1, time, false);
        Serde<Routed.IntakeOutput> partials = new IntakeOutputSerde();
        Serde<Routed.JoinInput> join = new PredictionsByIdSerde();
        return Map.of(
                repartitionTopic(applicationId, Names.PARTIALS_BY_MODEL), partials.serializer().serialize(null, w),
                repartitionTopic(applicationId, Names.PREDICTIONS_BY_ID), join.serializer().serialize(null, w));
    }

    static String repartitionTopic(String applicationId, String name) {
        return applicationId + "-" + name + "-repartition";
    }

    /** The key watermarks travel under. */
    public static byte[] key() {
        return PredictionIntake.WATERMARK_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
