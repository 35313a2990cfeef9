package io.losswatch.topology;

import io.losswatch.loss.Calibration;
import io.losswatch.loss.SparseBins;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * What the window aggregator keeps per (model, model_version) for CONTRACT §9: the calibration its
 * labelled predictions have taught so far, and the reference distribution psi compares windows with
 * (the psi histograms of its first windows, complete once it holds
 * {@code losswatch.estimate.reference.windows} windows and at least
 * {@code losswatch.estimate.reference.min.predictions}: psi's own noise when nothing changed is about
 * 9·(1/reference + 1/window), so a small reference alone would raise false prediction_drift alerts).
 */
final class ModelVersionEstimate {
    Calibration calibration = new Calibration();
    SparseBins reference = new SparseBins(1);
    int referenceWindows;

    boolean referenceComplete(int windows, long minPredictions) {
        return referenceWindows >= windows && reference.total(0) >= minPredictions;
    }

    /** A compact binary form, written at every commit that changed it. */
    static final class Serde extends BinarySerde<ModelVersionEstimate> {
        /** 2: the bins in the compact form ({@link WindowStatsSerde#writeCompactBins}); 1 is still read. */
        private static final byte VERSION = 2;
        private static final byte VERSION_1 = 1;

        Serde() {
            super(ModelVersionEstimate.class, "a model version's calibration and reference");
        }

        @Override
        protected byte[] toBytes(ModelVersionEstimate e) {
            Calibration c = e.calibration;
            return BinaryWriter.bytes(w -> {
                w.put(VERSION).putLong(c.count);
                WindowStatsSerde.writeString(w, c.function);
                WindowStatsSerde.writeCompactBins(w, c.bins);
                WindowStatsSerde.writeArray(w, c.temperatureLogLikelihood);
                w.putInt(e.referenceWindows);
                WindowStatsSerde.writeCompactBins(w, e.reference);
            });
        }

        @Override
        protected ModelVersionEstimate fromBytes(ByteBuffer b) {
            byte version = b.get();
            if (version != VERSION && version != VERSION_1) {
                throw new SerializationException("unknown model version estimate format");
            }
            boolean compact = version == VERSION;
            ModelVersionEstimate e = new ModelVersionEstimate();
            e.calibration.count = b.getLong();
            e.calibration.function = WindowStatsSerde.readString(b);
            e.calibration.bins = compact ? WindowStatsSerde.readCompactBins(b) : WindowStatsSerde.readBins(b);
            e.calibration.temperatureLogLikelihood = WindowStatsSerde.readArray(b);
            e.referenceWindows = b.getInt();
            e.reference = compact ? WindowStatsSerde.readCompactBins(b) : WindowStatsSerde.readBins(b);
            return e;
        }
    }
}
