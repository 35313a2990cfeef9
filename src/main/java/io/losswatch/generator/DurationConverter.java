package io.losswatch.generator;

import io.losswatch.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Command-line durations, read as the configuration reads them ({@link Durations}: 30s, 2m, 1h, 500ms, PT2M). */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** 90 s as "1m30s", for messages ({@link Durations#format}). */
    public static String format(Duration d) {
        return Durations.format(d);
    }
}
