package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.loss.Calibration;
import io.losswatch.loss.PredictionPoint;
import io.losswatch.loss.SparseBins;
import io.losswatch.loss.Temperature;
import org.junit.jupiter.api.Test;

/**
 * A model version's calibration and psi reference as the estimate-calibration store and its changelog keep them:
 * what a restart or a task moving to another instance restores must be what was learned (LabelFreeIT checks the
 * same across a SIGKILL on a real broker).
 */
class ModelVersionEstimateSerdeTest {

    @Test
    void calibrationTemperatureAndReferenceSurviveTheTrip() {
        ModelVersionEstimate e = new ModelVersionEstimate();
        e.calibration.learn("log_loss", new PredictionPoint.Lesson(new double[] {-1.386}, new boolean[] {true}, new double[0]));
        e.calibration.learn("log_loss", new PredictionPoint.Lesson(new double[] {2.2}, new boolean[] {false}, new double[0]));
        double[] ll = new double[Temperature.POINTS];
        for (int j = 0; j < ll.length; j++) {
            ll[j] = -0.1 * j;
        }
        e.calibration.temperatureLogLikelihood = ll;
        e.reference.add(-14, 50.0);
        e.reference.add(13, 70.0);
        e.referenceWindows = 3;

        ModelVersionEstimate.Serde serde = new ModelVersionEstimate.Serde();
        ModelVersionEstimate back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", e));

        assertThat(back.calibration.count).isEqualTo(2);
        assertThat(back.calibration.function).isEqualTo("log_loss");
        assertThat(back.calibration.bins).isEqualTo(e.calibration.bins);
        assertThat(back.calibration.temperatureLogLikelihood).containsExactly(ll);
        assertThat(back.reference).isEqualTo(e.reference);
        assertThat(back.referenceWindows).isEqualTo(3);
        assertThat(back.referenceComplete(3, 120)).as("3 windows, 120 predictions").isTrue();
        assertThat(back.referenceComplete(4, 120)).isFalse();
        assertThat(back.referenceComplete(3, 121)).isFalse();

        byte[] bytes = serde.serializer().serialize("t", e);
        assertThat(bytes[0]).as("the compact form").isEqualTo((byte) 2);
        // byte for byte what 20e1a49 wrote for the same estimate (hex printed by that build)
        assertThat(java.util.HexFormat.of().formatHex(bytes)).isEqualTo("02000000000000000200086c6f675f6c6f737303020b020201bff62d0e560418931c020001400199999999999a000000158000000000000000bfb999999999999abfc999999999999abfd3333333333334bfd999999999999abfe0000000000000bfe3333333333334bfe6666666666667bfe999999999999abfeccccccccccccdbff0000000000000bff199999999999abff3333333333334bff4cccccccccccdbff6666666666667bff8000000000000bff999999999999abffb333333333334bffccccccccccccdbffe666666666667c0000000000000000000000301021b64368c01");
        // the form the previous version wrote (version 1: every bin value as 8 bytes) still reads
        java.nio.ByteBuffer old = java.nio.ByteBuffer.allocate(1 + 8 + EarlierForms.stringSize(e.calibration.function)
                + EarlierForms.binsSize(e.calibration.bins) + EarlierForms.arraySize(ll) + 4
                + EarlierForms.binsSize(e.reference));
        old.put((byte) 1).putLong(e.calibration.count);
        EarlierForms.writeString(old, e.calibration.function);
        EarlierForms.writeBins(old, e.calibration.bins);
        EarlierForms.writeArray(old, ll);
        old.putInt(3);
        EarlierForms.writeBins(old, e.reference);
        ModelVersionEstimate previous = serde.deserializer().deserialize("t", old.array());
        assertThat(previous.calibration.bins).isEqualTo(e.calibration.bins);
        assertThat(previous.reference).isEqualTo(e.reference);
        assertThat(previous.referenceWindows).isEqualTo(3);
        assertThat(previous.calibration.temperatureLogLikelihood).containsExactly(ll);
        assertThat(bytes.length).isLessThan(old.array().length);

        ModelVersionEstimate empty = serde.deserializer().deserialize("t", serde.serializer().serialize("t",
                new ModelVersionEstimate()));
        assertThat(empty.calibration.count).isZero();
        assertThat(empty.calibration.temperatureLogLikelihood).isNull();
        assertThat(empty.reference).isEqualTo(new SparseBins(1));
        assertThat(new Calibration().function).isNull();
    }
}
