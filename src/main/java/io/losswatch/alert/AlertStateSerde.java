package io.losswatch.alert;

import io.losswatch.alert.AlertState.Baseline;
import io.losswatch.alert.AlertState.Batch;
import io.losswatch.alert.AlertState.Sequential;
import io.losswatch.topology.BinarySerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;

/**
 * {@link AlertState} in a fixed binary layout for the {@code alert-state} store, read and written on
 * every loss batch: JSON here cost more than the rest of the alert step (docs/benchmarks.md). State
 * written as JSON (it starts with '{') is still read. Null passes through.
 */
final class AlertStateSerde extends BinarySerde<AlertState> {
    /** First byte of the binary form; JSON starts with '{'. */
    private static final byte VERSION = 2;
    /** Version 1 had no typical events per window in the baseline; still read. */
    private static final byte VERSION_1 = 1;
    private static final int FIXED = 1 + 8 * 5 + 4 + 4 + 2 + 8 + 8 + 8 * 4 + 8 * 4;

    AlertStateSerde() {
        super(AlertState.class, "AlertState");
    }

    @Override
    protected byte[] toBytes(AlertState s) {
        byte[] rule = s.firingRule() == null ? null : s.firingRule().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(FIXED + (rule == null ? 0 : rule.length));
        Baseline base = s.baseline();
        Sequential q = s.sequential();
        Batch batch = s.batch();
        b.put(VERSION)
                .putLong(base.windows()).putDouble(base.mean()).putDouble(base.eventVariance()).putDouble(base.skewness())
                .putDouble(base.eventsPerWindow()).putInt(s.breaches()).putInt(s.clears());
        if (rule == null) {
            b.putShort((short) -1);
        } else {
            b.putShort((short) rule.length).put(rule);
        }
        b.putLong(s.firedAt()).putLong(s.resolvesFrom())
                .putDouble(q.statistic()).putLong(q.count()).putDouble(q.sum()).putLong(q.since())
                .putLong(batch.count()).putDouble(batch.s1()).putDouble(batch.s2()).putDouble(batch.s3());
        return b.array();
    }

    @Override
    protected AlertState fromBytes(ByteBuffer b) {
        byte version = b.get();
        if (version != VERSION && version != VERSION_1) {
            throw new SerializationException("unknown AlertState format " + version);
        }
        Baseline base = new Baseline(b.getLong(), b.getDouble(), b.getDouble(), b.getDouble(),
                version == VERSION_1 ? 0.0 : b.getDouble());
        int breaches = b.getInt();
        int clears = b.getInt();
        short length = b.getShort();
        String rule = null;
        if (length >= 0) {
            byte[] bytes = new byte[length];
            b.get(bytes);
            rule = new String(bytes, StandardCharsets.UTF_8);
        }
        long firedAt = b.getLong();
        long resolvesFrom = b.getLong();
        Sequential q = new Sequential(b.getDouble(), b.getLong(), b.getDouble(), b.getLong());
        Batch batch = new Batch(b.getLong(), b.getDouble(), b.getDouble(), b.getDouble());
        if (b.hasRemaining()) {
            throw new SerializationException(b.remaining() + " bytes left over after an AlertState");
        }
        return new AlertState(base, breaches, clears, rule, firedAt, resolvesFrom, q, batch);
    }
}
