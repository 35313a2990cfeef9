package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The reused writer: big-endian like ByteBuffer, safe inside itself and after a failure, growing as needed. */
class BinaryWriterTest {
    @Test
    void writesWhatByteBufferWrites() {
        byte[] expected = ByteBuffer.allocate(1 + 2 + 4 + 8 + 8 + 4 + 3).put((byte) 7).putShort((short) -2).putInt(300)
                .putLong(-5L).putDouble(0.1).putInt(3).put("abc".getBytes()).array();
        byte[] written = BinaryWriter.bytes(w -> w.put(7).putShort(-2).putInt(300).putLong(-5L).putDouble(0.1).putIntString("abc"));
        assertThat(written).containsExactly(expected);
    }

    @Test
    void varintsAre7BitsAByteLowFirst() {
        assertThat(BinaryWriter.bytes(w -> w.putVarLong(0).putVarLong(127).putVarLong(128).putVarLong(300)))
                .containsExactly(0x00, 0x7F, 0x80, 0x01, 0xAC, 0x02);
        byte[] max = BinaryWriter.bytes(w -> w.putVarLong(-1L));
        assertThat(max).hasSize(10);
        assertThat(WindowStatsSerde.getVarLong(ByteBuffer.wrap(max))).isEqualTo(-1L);
    }

    @Test
    void aWriterInsideAWriterDoesNotOverwriteTheOuterOne() {
        byte[] out = BinaryWriter.bytes(w -> {
            w.put(1);
            w.put(BinaryWriter.bytes(inner -> inner.put(2).put(2)));
            w.put(3);
        });
        assertThat(out).containsExactly(1, 2, 2, 3);
    }

    @Test
    void aFailureLeavesTheWriterUsableAndLargeValuesGrowIt() {
        assertThatThrownBy(() -> BinaryWriter.bytes(w -> {
            w.put(9);
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(BinaryWriter.bytes(w -> w.put(1))).containsExactly(1);
        byte[] big = new byte[BinaryWriter.KEEP + 10];
        big[big.length - 1] = 5;
        assertThat(BinaryWriter.bytes(w -> w.put(big).put(6))).hasSize(big.length + 1).endsWith(5, 6);
        assertThat(BinaryWriter.bytes(w -> w.put(4))).containsExactly(4);
    }
}
