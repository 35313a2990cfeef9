package io.losswatch.replay;

import io.losswatch.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The combinations of {@code --sweep KEY=V1,V2,...} options: every value of each, the first key varying slowest. */
final class Sweep {
    private Sweep() {
    }

    /** One empty combination without sweeps. */
    static List<Map<String, String>> combinations(List<String> sweeps) {
        List<Map<String, String>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (String sweep : sweeps) {
            int eq = sweep.indexOf('=');
            String key = eq < 0 ? "" : sweep.substring(0, eq).strip();
            if (key.isEmpty()) {
                throw new ConfigException("--sweep " + sweep + ": expected KEY=V1,V2,...");
            }
            List<String> values = new ArrayList<>();
            for (String v : sweep.substring(eq + 1).split(",", -1)) {
                String value = v.strip();
                if (value.isEmpty() || values.contains(value)) {
                    throw new ConfigException("--sweep " + sweep + ": expected distinct, non-empty values separated by commas");
                }
                values.add(value);
            }
            if (out.get(0).containsKey(key)) {
                throw new ConfigException("--sweep " + key + ": given twice");
            }
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> combination : out) {
                for (String value : values) {
                    Map<String, String> c = new LinkedHashMap<>(combination);
                    c.put(key, value);
                    next.add(c);
                }
            }
            out = next;
        }
        return out;
    }
}
