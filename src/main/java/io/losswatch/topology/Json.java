package io.losswatch.topology;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one ObjectMapper for records losswatch writes: snake_case field names, as in CONTRACT §6. It reads
 * numbers with Jackson's fast double parser (the same double as {@link Double#parseDouble}, bit for bit,
 * JsonFastDoubleTest): the dashboard's history feed reads every window record back, and parsing their
 * numbers was a fifth of its time (docs/benchmarks.md). It writes them with Jackson's fast double writer
 * (Schubfach): the shortest text that reads back as the same double, as {@link Double#toString} gives from
 * Java 19 on. Java 17's is sometimes longer (1.80544536094166733E18 for 1.8054453609416673E18) or ends in
 * other digits (1.0E-323 for 9.9E-324), but reads back as the same double too (JsonFastDoubleTest).
 * Formatting a loss record's two doubles was 2.4–4% of the stream thread (docs/benchmarks.md).
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {
    }
}
