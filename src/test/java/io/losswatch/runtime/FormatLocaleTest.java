package io.losswatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class FormatLocaleTest {
    @Test
    void plainEnglishFormatsAsEnUs() {
        assertThat(FormatLocale.formatLocaleFor(Locale.ENGLISH)).isEqualTo(Locale.US);
        assertThat(FormatLocale.formatLocaleFor(Locale.forLanguageTag("en"))).isEqualTo(Locale.US);
    }

    @Test
    void everyOtherLocaleIsKept() {
        for (String tag : new String[] {"en-US", "en-GB", "de-DE", "fr", "und", "en-Latn", "en-US-u-nu-arab"}) {
            Locale locale = Locale.forLanguageTag(tag);
            assertThat(FormatLocale.formatLocaleFor(locale)).as(tag).isEqualTo(locale);
        }
        assertThat(FormatLocale.formatLocaleFor(Locale.ROOT)).isEqualTo(Locale.ROOT);
    }

    @Test
    void enAndEnUsFormatNumbersAlike() {
        // what the swap must not change: numbers written with the default locale's format
        for (Object[] args : new Object[][] {{"%d", 1234567L}, {"%,d", 1234567L}, {"%.3f", 0.3675}, {"%,.2f", 12345.678},
                {"%e", 6.02e23}, {"%g", -0.000123}}) {
            assertThat(String.format(Locale.US, (String) args[0], args[1]))
                    .isEqualTo(String.format(Locale.ENGLISH, (String) args[0], args[1]));
        }
    }
}
