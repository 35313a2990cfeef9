package io.losswatch.runtime;

import java.util.Locale;

/**
 * Kafka Streams formats a log line with {@code String.format} each time it asks a task with an empty
 * input whether it may process, whether or not that line is ever logged: several times per record
 * processed. {@link java.util.Formatter} builds the locale's {@code DecimalFormatSymbols} for every
 * such call unless the format locale is en_US; a JVM started without LANG's country (plain "en", as
 * in most containers) took 7% of the stream thread there (docs/benchmarks.md). "en" formats numbers
 * and dates as en_US does, so the process uses en_US for formatting then; any other locale is kept.
 */
final class FormatLocale {
    private FormatLocale() {
    }

    /** Makes en_US the format locale where it is plain "en". */
    static void apply() {
        Locale.setDefault(Locale.Category.FORMAT, formatLocaleFor(Locale.getDefault(Locale.Category.FORMAT)));
    }

    static Locale formatLocaleFor(Locale current) {
        boolean plainEnglish = current.getLanguage().equals("en") && current.getCountry().isEmpty()
                && current.getVariant().isEmpty() && current.getScript().isEmpty() && !current.hasExtensions();
        return plainEnglish ? Locale.US : current;
    }
}
