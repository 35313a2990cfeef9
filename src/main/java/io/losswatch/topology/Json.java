package io.losswatch.topology;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one ObjectMapper for records losswatch writes: snake_case field names, as in CONTRACT §6. It reads
 * numbers with Jackson's fast double parser (the same double as {@link Double#parseDouble}, bit for bit,
 * JsonFastDoubleTest): the dashboard's history feed reads every window record back, and parsing their
 * numbers was a fifth of its time (docs/benchmarks.md). Writing is unchanged.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {
    }
}
