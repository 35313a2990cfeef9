package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.event.EventParser;
import io.losswatch.event.ParseResult;
import io.losswatch.event.PredictionEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Jackson's fast double parser, which losswatch's readers use, gives the double {@link Double#parseDouble}
 * gives, bit for bit, and its fast double writer, which its writers use, writes text that reads back as the
 * same double: on hard cases (subnormals, the largest finite value, halfway cases, 17+ digits,
 * exponents past the range) and on random ones written in several forms.
 */
class JsonFastDoubleTest {
    private static List<String> numbers() {
        List<String> out = new ArrayList<>(List.of("0", "-0.0", "1e-400", "4.9e-324", "2.4703282292062327e-324",
                "2.4703282292062328e-324", "2.2250738585072011e-308", "2.2250738585072012e-308", "1.7976931348623157e308",
                "1.7976931348623158e308", "9007199254740993", "0.1", "0.30000000000000004", "123456789012345678901234567890",
                "1.00000000000000011102230246251565404236316680908203125", "7.038531e-26", "8.41e21", "5e-324",
                "0.8731", "1E+2", "1e0", "3.141592653589793238462643383279"));
        Random r = new Random(20261207);
        for (int i = 0; i < 20_000; i++) {
            double d = switch (i % 4) {
                case 0 -> r.nextDouble();
                case 1 -> Double.longBitsToDouble(r.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL);
                case 2 -> r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
                default -> Math.round(r.nextDouble() * 1e6) / 1e6;
            };
            out.add(Double.toString(d));
            out.add(String.format(Locale.ROOT, "%.20e", d));
            out.add(new java.math.BigDecimal(d).toPlainString().length() < 400 ? new java.math.BigDecimal(d).toString() : Double.toString(d));
        }
        return out;
    }

    @Test
    void theMappersDoublesAreParseDoublesBitForBit() throws Exception {
        assertThat(Json.MAPPER.getFactory().isEnabled(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER))
                .as("the fast parser is the one checked here").isTrue();
        for (String n : numbers()) {
            double expected = Double.parseDouble(n);
            double read = Json.MAPPER.readTree(n).doubleValue();
            assertThat(Double.doubleToRawLongBits(read)).as(n).isEqualTo(Double.doubleToRawLongBits(expected));
        }
    }

    @Test
    void theMappersWrittenDoublesReadBackBitForBitAndAreNoLongerThanDoubleToString() throws Exception {
        assertThat(Json.MAPPER.getFactory().isEnabled(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER))
                .as("the fast writer is the one checked here").isTrue();
        int shorter = 0;
        for (String n : numbers()) {
            double d = Double.parseDouble(n);
            if (Double.isInfinite(d)) {
                continue; // JSON has no infinity: losswatch never writes one (losses are clipped)
            }
            String written = Json.MAPPER.writeValueAsString(d);
            assertThat(Double.doubleToRawLongBits(Double.parseDouble(written))).as(n + " written as " + written)
                    .isEqualTo(Double.doubleToRawLongBits(d));
            assertThat(written.length()).as(n).isLessThanOrEqualTo(Double.toString(d).length());
            if (written.length() < Double.toString(d).length()) {
                shorter++;
            }
        }
        // where Java 17's Double.toString differs: longer than needed, or other last digits (JDK-4511638, JDK-8291240);
        // the same double either way
        assertThat(Json.MAPPER.writeValueAsString(-1.8054453609416673E18)).isEqualTo("-1.8054453609416673E18");
        assertThat(Json.MAPPER.writeValueAsString(2 * Double.MIN_VALUE)).isEqualTo("9.9E-324");
        if (Runtime.version().feature() < 19) {
            assertThat(Double.toString(-1.8054453609416673E18)).isEqualTo("-1.80544536094166733E18");
            assertThat(Double.toString(2 * Double.MIN_VALUE)).isEqualTo("1.0E-323");
        }
        assertThat(Json.MAPPER.writeValueAsString(0.6931471805599453)).isEqualTo("0.6931471805599453");
        assertThat(Json.MAPPER.writeValueAsString(1.0E-5)).isEqualTo("1.0E-5");
        assertThat(Json.MAPPER.writeValueAsString(34.538776394910684)).isEqualTo("34.538776394910684");
        assertThat(shorter).as("cases where Java 17 writes more digits").isLessThan(numbers().size() / 20);
    }

    @Test
    void theInputParsersPredictionsAreParseDoublesBitForBit() {
        EventParser parser = new EventParser(1 << 20, 64, List.of());
        for (String n : numbers()) {
            double expected = Double.parseDouble(n);
            if (!(expected >= 0 && expected <= 1)) {
                continue; // a binary prediction is a probability; others are refused, as they should be
            }
            String json = "{\"prediction_id\":\"p\",\"model\":\"m\",\"timestamp\":1764000000000,\"prediction\":" + n + "}";
            ParseResult<PredictionEvent> parsed = parser.parsePrediction(json.getBytes(StandardCharsets.UTF_8), 0);
            assertThat(parsed).as(n).isInstanceOf(ParseResult.Ok.class);
            double read = ((ParseResult.Ok<PredictionEvent>) parsed).event().prediction().doubleValue();
            assertThat(Double.doubleToRawLongBits(read)).as(n).isEqualTo(Double.doubleToRawLongBits(expected));
        }
    }
}
