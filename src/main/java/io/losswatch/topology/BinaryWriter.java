package io.losswatch.topology;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte writer (the layout {@link java.nio.ByteBuffer} reads): a value is written in
 * one pass and copied out once, where an exact-size buffer needed a pass to size it first. One per thread
 * is reused ({@link #bytes}), so writing allocates only the result.
 */
final class BinaryWriter {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final ThreadLocal<BinaryWriter> SCRATCH = ThreadLocal.withInitial(BinaryWriter::new);

    private byte[] buf = new byte[512];
    private int pos;
    private boolean inUse;

    /**
     * The bytes body writes, in this thread's writer (a fresh one when this thread's is being written: a
     * writer inside a writer). The writer is handed back whatever body does, so an exception cannot keep
     * it taken, and one grown past {@link #KEEP} by a large value is let go.
     */
    static byte[] bytes(java.util.function.Consumer<BinaryWriter> body) {
        BinaryWriter w = SCRATCH.get();
        if (w.inUse) {
            w = new BinaryWriter();
        }
        w.pos = 0;
        w.inUse = true;
        try {
            body.accept(w);
            return Arrays.copyOf(w.buf, w.pos);
        } finally {
            w.inUse = false;
            if (w.buf.length > KEEP) {
                w.buf = new byte[512];
            }
        }
    }

    /** The largest buffer a thread keeps between values. */
    static final int KEEP = 64 * 1024;

    private void room(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    BinaryWriter put(int b) {
        room(1);
        buf[pos++] = (byte) b;
        return this;
    }

    BinaryWriter putShort(int v) {
        room(2);
        SHORT.set(buf, pos, (short) v);
        pos += 2;
        return this;
    }

    BinaryWriter putInt(int v) {
        room(4);
        INT.set(buf, pos, v);
        pos += 4;
        return this;
    }

    BinaryWriter putLong(long v) {
        room(8);
        LONG.set(buf, pos, v);
        pos += 8;
        return this;
    }

    BinaryWriter putDouble(double v) {
        return putLong(Double.doubleToRawLongBits(v));
    }

    BinaryWriter put(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
        return this;
    }

    /** An unsigned varint, 7 bits a byte, low first (as {@link WindowStatsSerde#getVarLong} reads). */
    BinaryWriter putVarLong(long v) {
        room(10);
        // locals, not fields, in the loop: most values here are one byte (counts), and this is the serialisers' hottest line
        byte[] b = buf;
        int p = pos;
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        pos = p;
        return this;
    }

    /** A string as its UTF-8 length (an int) and bytes, as {@code IntakeOutputSerde} has always written them. */
    BinaryWriter putIntString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return putInt(bytes.length).put(bytes);
    }
}
