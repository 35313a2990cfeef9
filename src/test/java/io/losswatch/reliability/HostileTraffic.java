package io.losswatch.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile input for the real broker, from one seed: valid predictions (inline-labelled and waiting for
 * a label) and labels interleaved with random bytes, truncated, mutated and deeply nested JSON, wrong
 * types, huge numbers, NaN, unicode, huge strings just under and over the size limit. The kinds follow
 * topology/HostileInput (the TopologyTestDriver test), with the size limit and random byte mutations
 * added; that class is package-private in topology, so the generator is repeated here.
 */
final class HostileTraffic {
    static final long T0 = 1_764_000_000_000L;

    /** One input record: to the labels topic or the predictions topic. */
    record Input(boolean label, byte[] value, long recordTime) {
    }

    private final Random random;
    private final int maxBytes;
    private final List<String> ids = new ArrayList<>();

    /** maxBytes: the losswatch.input.max.bytes the application runs with. */
    HostileTraffic(long seed, int maxBytes) {
        this.random = new Random(seed);
        this.maxBytes = maxBytes;
    }

    List<Input> generate(int n) {
        List<Input> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = T0 + i * 500L + random.nextInt(3_000);
            if (random.nextInt(20) == 0) {
                t = Math.max(T0, t - 300_000); // out of order: may reach a window that is already final
            }
            int kind = random.nextInt(10);
            if (kind < 3) {
                out.add(new Input(false, utf8(validPrediction(i, t, true)), t));
            } else if (kind < 5) {
                out.add(new Input(false, utf8(validPrediction(i, t, false)), t));
            } else if (kind < 7) {
                out.add(new Input(true, utf8(label(t)), t));
            } else {
                out.add(new Input(random.nextBoolean(), hostile(i, t), t));
            }
        }
        return out;
    }

    private String validPrediction(int i, long t, boolean labelled) {
        String id = "p-" + i;
        ids.add(id);
        String model = "m" + random.nextInt(3);
        String version = random.nextBoolean() ? "v1" : "v2";
        String prediction = random.nextInt(4) == 0
                ? "{\"a\": " + random.nextDouble() + ", \"b\": " + random.nextDouble() + "}"
                : Double.toString(random.nextDouble());
        String label = prediction.startsWith("{") ? (random.nextBoolean() ? "\"a\"" : "\"b\"")
                : Integer.toString(random.nextInt(2));
        String ts = random.nextInt(5) == 0 ? "" : ",\"timestamp\":" + t;
        return "{\"prediction_id\":\"" + id + "\",\"model\":\"" + model + "\",\"model_version\":\"" + version
                + "\",\"prediction\":" + prediction + (labelled ? ",\"label\":" + label : "") + ts + "}";
    }

    private String label(long t) {
        // mostly labels for earlier predictions (some twice), sometimes for ids nobody sent
        String id = ids.isEmpty() || random.nextInt(6) == 0 ? "ghost-" + random.nextInt(1000)
                : ids.get(random.nextInt(ids.size()));
        String label = switch (random.nextInt(6)) {
            case 0 -> "\"a\"";
            case 1 -> "true";
            case 2 -> "0.5";
            default -> Integer.toString(random.nextInt(2));
        };
        return "{\"prediction_id\":\"" + id + "\",\"label\":" + label + ",\"timestamp\":" + (t + random.nextInt(20_000)) + "}";
    }

    private byte[] hostile(int i, long t) {
        String valid = "{\"prediction_id\":\"h-" + i + "\",\"model\":\"m0\",\"prediction\":0.25,\"label\":1,\"timestamp\":" + t + "}";
        return switch (random.nextInt(22)) {
            case 0 -> randomBytes(random.nextInt(64));
            case 1 -> utf8(valid.substring(0, random.nextInt(valid.length())));
            case 2 -> utf8("[".repeat(5_000) + "]".repeat(5_000));
            case 3 -> utf8("{\"a\":".repeat(200) + "1" + "}".repeat(200));
            case 4 -> utf8(valid.replace("0.25", "\"0.25\""));
            case 5 -> utf8(valid.replace("0.25", "1e400"));
            case 6 -> utf8(valid.replace("0.25", "NaN"));
            case 7 -> utf8(valid.replace("\"m0\"", "\"模型-ü-\uD83D\uDE00\""));
            case 8 -> utf8(valid.replace("\"m0\"", "\"" + "x".repeat(20_000) + "\""));
            case 9 -> utf8(valid.replace("\"label\":1", "\"label\":{\"deep\":[1,2]}"));
            case 10 -> utf8(valid.replace("\"model\":\"m0\",", ""));
            case 11 -> utf8(valid + " trailing");
            case 12 -> utf8(valid.replace("\"prediction\":0.25", "\"prediction\":0.25,\"prediction\":0.5"));
            case 13 -> utf8(valid.replace(Long.toString(t), "\"" + t + "\""));
            case 14 -> new byte[0];
            case 15 -> utf8(valid.replace("0.25", "123456789012345678901234567890"));
            // a valid record padded with an ignored field to just under the limit, and one just over it
            case 16 -> padded(valid, maxBytes - random.nextInt(16));
            case 17 -> padded(valid, maxBytes + 1 + random.nextInt(maxBytes));
            // a valid record with one byte flipped, dropped or inserted
            case 18 -> mutated(utf8(valid));
            // nesting just within and beyond losswatch.input.max.nesting (32)
            case 19 -> utf8(nested(valid, 28 + random.nextInt(10)));
            case 20 -> utf8(valid.replace("\"m0\"", "\"" + randomUnicode(1 + random.nextInt(40)) + "\""));
            default -> utf8(valid.replace("0.25", random.nextBoolean() ? "-0.0" : "1E-320"));
        };
    }

    /** valid with an ignored "pad" field, grown to exactly size bytes. */
    private static byte[] padded(String valid, int size) {
        String head = valid.substring(0, valid.length() - 1) + ",\"pad\":\"";
        int fill = Math.max(0, size - utf8(head).length - 2);
        return utf8(head + "p".repeat(fill) + "\"}");
    }

    /** valid with an ignored field nested depth arrays deep. */
    private static String nested(String valid, int depth) {
        return valid.substring(0, valid.length() - 1) + ",\"extra\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    }

    private byte[] mutated(byte[] b) {
        int at = random.nextInt(b.length);
        return switch (random.nextInt(3)) {
            case 0 -> {
                byte[] c = b.clone();
                c[at] = (byte) (c[at] ^ (1 << random.nextInt(8)));
                yield c;
            }
            case 1 -> {
                byte[] c = new byte[b.length - 1];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                yield c;
            }
            default -> {
                byte[] c = new byte[b.length + 1];
                System.arraycopy(b, 0, c, 0, at);
                String inserts = "{}[]\",:\\0 \u00e9";
                c[at] = (byte) inserts.charAt(random.nextInt(inserts.length()));
                System.arraycopy(b, at, c, at + 1, b.length - at);
                yield c;
            }
        };
    }

    private String randomUnicode(int n) {
        StringBuilder s = new StringBuilder();
        while (s.length() < n) {
            int cp = random.nextInt(0x10FFFF);
            if (Character.isValidCodePoint(cp) && !Character.isSurrogate((char) cp) && cp != '"' && cp != '\\' && cp >= 0x20) {
                s.appendCodePoint(cp);
            }
        }
        return s.toString();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
