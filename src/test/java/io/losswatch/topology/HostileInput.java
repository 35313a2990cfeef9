package io.losswatch.topology;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic hostile traffic: valid predictions and labels interleaved with random bytes,
 * truncated and deeply nested JSON, wrong types, huge numbers, NaN, unicode and huge strings.
 * Everything is derived from one seed, so a failure can be replayed.
 */
final class HostileInput {
    static final long T0 = 1_764_000_000_000L;

    /** A record for one of the two input topics. */
    record Input(boolean label, byte[] value, long recordTime) {
    }

    private final Random random;
    private final List<String> ids = new ArrayList<>();
    private final List<Input> inputs = new ArrayList<>();

    HostileInput(long seed) {
        this.random = new Random(seed);
    }

    List<Input> generate(int n) {
        for (int i = 0; i < n; i++) {
            long t = T0 + i * 500L + random.nextInt(3_000);
            if (random.nextInt(20) == 0) {
                t = Math.max(T0, t - 300_000); // out of order: may reach a window that is already final
            }
            int kind = random.nextInt(10);
            if (kind < 3) {
                inputs.add(new Input(false, validPrediction(i, t, true), t));
            } else if (kind < 5) {
                inputs.add(new Input(false, validPrediction(i, t, false), t));
            } else if (kind < 7) {
                inputs.add(new Input(true, label(t), t));
            } else {
                boolean toLabels = random.nextBoolean();
                inputs.add(new Input(toLabels, hostile(i, t), t));
            }
        }
        return inputs;
    }

    private byte[] validPrediction(int i, long t, boolean labelled) {
        String id = "p-" + i;
        ids.add(id);
        String model = "m" + random.nextInt(3);
        String version = random.nextBoolean() ? "v1" : "v2";
        String prediction = switch (random.nextInt(4)) {
            case 0 -> "{\"a\": " + random.nextDouble() + ", \"b\": " + random.nextDouble() + "}";
            default -> Double.toString(random.nextDouble());
        };
        String label = prediction.startsWith("{") ? (random.nextBoolean() ? "\"a\"" : "\"b\"")
                : Integer.toString(random.nextInt(2));
        String ts = random.nextInt(5) == 0 ? "" : ",\"timestamp\":" + t;
        return utf8("{\"prediction_id\":\"" + id + "\",\"model\":\"" + model + "\",\"model_version\":\"" + version
                + "\",\"prediction\":" + prediction + (labelled ? ",\"label\":" + label : "") + ts + "}");
    }

    private byte[] label(long t) {
        // mostly labels for earlier predictions (some twice), sometimes for ids nobody sent
        String id = ids.isEmpty() || random.nextInt(6) == 0 ? "ghost-" + random.nextInt(1000)
                : ids.get(random.nextInt(ids.size()));
        String label = switch (random.nextInt(6)) {
            case 0 -> "\"a\"";
            case 1 -> "true";
            case 2 -> "0.5";
            default -> Integer.toString(random.nextInt(2));
        };
        return utf8("{\"prediction_id\":\"" + id + "\",\"label\":" + label + ",\"timestamp\":"
                + (t + random.nextInt(20_000)) + "}");
    }

    private byte[] hostile(int i, long t) {
        String valid = "{\"prediction_id\":\"h-" + i + "\",\"model\":\"m0\",\"prediction\":0.25,\"label\":1,\"timestamp\":" + t + "}";
        return switch (random.nextInt(16)) {
            case 0 -> randomBytes(random.nextInt(64));
            case 1 -> utf8(valid.substring(0, random.nextInt(valid.length())));
            case 2 -> utf8("[".repeat(5_000) + "]".repeat(5_000));
            case 3 -> utf8("{\"a\":".repeat(200) + "1" + "}".repeat(200));
            case 4 -> utf8(valid.replace("0.25", "\"0.25\""));
            case 5 -> utf8(valid.replace("0.25", "1e400"));
            case 6 -> utf8(valid.replace("0.25", "NaN"));
            case 7 -> utf8(valid.replace("\"m0\"", "\"模型-ü-\uD83D\uDE00\""));
            case 8 -> utf8(valid.replace("\"m0\"", "\"" + "x".repeat(100_000) + "\""));
            case 9 -> utf8(valid.replace("\"label\":1", "\"label\":{\"deep\":[1,2]}"));
            case 10 -> utf8(valid.replace("\"model\":\"m0\",", ""));
            case 11 -> utf8(valid + " trailing");
            case 12 -> utf8(valid.replace("\"prediction\":0.25", "\"prediction\":0.25,\"prediction\":0.5"));
            case 13 -> utf8(valid.replace(Long.toString(t), "\"" + t + "\""));
            case 14 -> new byte[0];
            default -> utf8(valid.replace("0.25", "123456789012345678901234567890"));
        };
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
