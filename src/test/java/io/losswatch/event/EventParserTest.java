package io.losswatch.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/** The parser's results on hand-written records, and the fast path against the tree path on generated ones. */
class EventParserTest {
    /** The defaults of losswatch.input.max.bytes and losswatch.input.max.nesting. */
    private static final EventParser PARSER = new EventParser(1_048_576, 32);
    /** Small enough limits that generated records hit them. */
    private static final EventParser TIGHT = new EventParser(160, 2);
    private static final long RECORD_TIME = 1_764_000_000_000L;
    private static final String BENCH_RECORD = "{\"prediction_id\":\"p-17\",\"model\":\"model-00042\",\"model_version\":\"v1\","
            + "\"timestamp\":1764000012345,\"prediction\":0.8731,\"label\":1}";
    private static final List<String> KNOWN = List.of("model", "model_version", "prediction_id", "timestamp", "prediction", "label");

    // --- hand-written records

    @Test
    void theBenchsRecordTakesTheFastPath() {
        PredictionEvent expected = new PredictionEvent("p-17", "model-00042", "v1", 1_764_000_012_345L,
                DoubleNode.valueOf(0.8731), IntNode.valueOf(1));
        assertThat(PARSER.streamPrediction(bytes(BENCH_RECORD), 0L)).isEqualTo(new ParseResult.Ok<>(expected));
        assertThat(PARSER.parsePrediction(bytes(BENCH_RECORD), 0L)).isEqualTo(new ParseResult.Ok<>(expected));
        assertThat(PARSER.treePrediction(bytes(BENCH_RECORD), 0L)).isEqualTo(new ParseResult.Ok<>(expected));
    }

    @Test
    void aLabelRecordTakesTheFastPath() {
        String json = "{\"prediction_id\":\"p-17\",\"label\":0,\"timestamp\":\"2026-11-24T06:00:00Z\"}";
        LabelEvent expected = new LabelEvent("p-17", IntNode.valueOf(0), 1_795_500_000_000L);
        assertThat(PARSER.streamLabel(bytes(json), 0L)).isEqualTo(new ParseResult.Ok<>(expected));
        assertThat(label(json)).isEqualTo(expected);
    }

    @Test
    void isoTimestampsWithAndWithoutAnOffset() {
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":0.5,\"timestamp\":\"2026-11-24T06:00:00Z\"}")
                .eventTime()).isEqualTo(1_795_500_000_000L);
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":0.5,\"timestamp\":\"2026-11-24T07:00:00.250+01:00\"}")
                .eventTime()).isEqualTo(1_795_500_000_250L);
    }

    @Test
    void anAbsentOrNullTimestampIsTheRecordsTime() {
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":0.5}").eventTime()).isEqualTo(RECORD_TIME);
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":0.5,\"timestamp\":null}").eventTime())
                .isEqualTo(RECORD_TIME);
    }

    @Test
    void integerPredictionIdsAreTheirDecimalForm() {
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":42,\"prediction\":0.5}").predictionId()).isEqualTo("42");
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":-9000000000,\"prediction\":0.5}").predictionId())
                .isEqualTo("-9000000000");
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":123456789012345678901234567890,\"prediction\":0.5}")
                .predictionId()).isEqualTo("123456789012345678901234567890");
    }

    @Test
    void numbersAreTheNodesTheTreeMakes() {
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":1,\"label\":1}").prediction())
                .isEqualTo(IntNode.valueOf(1));
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":3000000000,\"label\":1}").prediction())
                .isEqualTo(LongNode.valueOf(3_000_000_000L));
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":12345678901234567890123,\"label\":1}")
                .prediction()).isEqualTo(BigIntegerNode.valueOf(new BigInteger("12345678901234567890123")));
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":2.5e-3,\"label\":\"cat\"}"))
                .satisfies(p -> {
                    assertThat(p.prediction()).isEqualTo(DoubleNode.valueOf(0.0025));
                    assertThat(p.label()).isEqualTo(TextNode.valueOf("cat"));
                });
    }

    @Test
    void booleanLabels() {
        assertThat(prediction("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":0.9,\"label\":true}").label())
                .isEqualTo(BooleanNode.TRUE);
        assertThat(label("{\"prediction_id\":\"a\",\"label\":false,\"timestamp\":5}"))
                .isEqualTo(new LabelEvent("a", BooleanNode.FALSE, 5));
    }

    @Test
    void aNullModelVersionAndANullLabelAreAbsent() {
        PredictionEvent p = prediction("{\"model\":\"m\",\"model_version\":null,\"prediction_id\":\"a\",\"prediction\":0.5,\"label\":null}");
        assertThat(p).isEqualTo(new PredictionEvent("a", "m", "", RECORD_TIME, DoubleNode.valueOf(0.5), null));
        assertThat(p.isLabelled()).isFalse();
    }

    @Test
    void anUnlabelledPredictionWithoutAnIdIsRejectedButALabelledOneIsNot() {
        assertRejected("{\"model\":\"m\",\"prediction\":0.5}", RejectReason.MISSING_FIELD,
                "field 'prediction_id' is required: the prediction has no label");
        assertThat(prediction("{\"model\":\"m\",\"prediction\":0.5,\"label\":0}").predictionId()).isNull();
    }

    @Test
    void aMultiClassPredictionIsParsedByTheTree() {
        String json = "{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":{\"cat\":0.7,\"dog\":0.3},\"label\":\"dog\"}";
        ObjectNode classes = JsonNodeFactory.instance.objectNode();
        classes.put("cat", 0.7);
        classes.put("dog", 0.3);
        assertThat(PARSER.streamPrediction(bytes(json), RECORD_TIME)).isNull();
        assertThat(prediction(json)).isEqualTo(new PredictionEvent("a", "m", "", RECORD_TIME, classes, TextNode.valueOf("dog")));
    }

    @Test
    void unknownFieldsAreIgnoredByWayOfTheTree() {
        String json = "{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":0.5,\"extra\":[1,2]}";
        assertThat(PARSER.streamPrediction(bytes(json), RECORD_TIME)).isNull();
        assertThat(prediction(json).predictionId()).isEqualTo("a");
        // a prediction's field is an unknown one in a label record
        String labelWithModel = "{\"prediction_id\":\"a\",\"label\":1,\"model\":\"m\"}";
        assertThat(PARSER.streamLabel(bytes(labelWithModel), RECORD_TIME)).isNull();
        assertThat(label(labelWithModel)).isEqualTo(new LabelEvent("a", IntNode.valueOf(1), RECORD_TIME));
    }

    @Test
    void rejections() {
        assertRejected("", RejectReason.INVALID_JSON, "empty record value");
        assertRejected("{\"model\":", RejectReason.INVALID_JSON, "not valid JSON: ");
        assertRejected("{\"model\":\"a\",\"model\":\"b\",\"prediction_id\":\"a\",\"prediction\":0.5}", RejectReason.INVALID_JSON,
                "not valid JSON: Duplicate field 'model'");
        assertRejected("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":0.5} {}", RejectReason.INVALID_JSON,
                "not valid JSON: Trailing token");
        assertRejected("[1]", RejectReason.INVALID_JSON, "expected one JSON object, got array");
        assertRejected("   ", RejectReason.INVALID_JSON, "expected one JSON object, got missing");
        assertRejected("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":" + "[".repeat(40) + "]".repeat(40) + "}",
                RejectReason.INVALID_JSON, "JSON exceeds a parser limit: ");
        assertRejected("{\"prediction_id\":\"a\",\"prediction\":0.5}", RejectReason.MISSING_FIELD, "field 'model' is required");
        assertRejected("{\"model\":\"\",\"prediction_id\":\"a\",\"prediction\":0.5}", RejectReason.MISSING_FIELD,
                "field 'model' is required and must not be empty");
        assertRejected("{\"model\":\"m\",\"prediction_id\":\"a\"}", RejectReason.MISSING_FIELD, "field 'prediction' is required");
        assertRejected("{\"model\":5,\"prediction_id\":\"a\",\"prediction\":0.5}", RejectReason.WRONG_TYPE,
                "field 'model' must be a string, got number 5");
        assertRejected("{\"model\":\"m\",\"prediction_id\":true,\"prediction\":0.5}", RejectReason.WRONG_TYPE,
                "field 'prediction_id' must be a non-empty string or an integer, got boolean true");
        assertRejected("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":\"0.5\"}", RejectReason.WRONG_TYPE,
                "field 'prediction' must be a number or an object of class probabilities, got string \"0.5\"");
        assertRejected("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":NaN}", RejectReason.INVALID_NUMBER,
                "'prediction' is not a finite number: NaN");
        assertRejected("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":1e400}", RejectReason.INVALID_NUMBER,
                "'prediction' is not a finite number: Infinity");
        assertRejected("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":0.5,\"label\":-Infinity}", RejectReason.INVALID_NUMBER,
                "'label' is not a finite number: -Infinity");
        assertRejected("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":0.5,\"timestamp\":1.5}", RejectReason.INVALID_TIMESTAMP,
                "field 'timestamp' must be epoch milliseconds (an integer) or an ISO-8601 instant string, got number 1.5");
        assertRejected("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":0.5,\"timestamp\":-1}", RejectReason.INVALID_TIMESTAMP,
                "timestamp -1 is before 1970-01-01T00:00:00Z");
        assertRejected("{\"model\":\"m\",\"prediction_id\":\"a\",\"prediction\":0.5,\"timestamp\":\"today\"}",
                RejectReason.INVALID_TIMESTAMP, "field 'timestamp' is not an ISO-8601 instant");
        assertRejected("{\"model\":\"" + "x".repeat(1025) + "\",\"prediction_id\":\"a\",\"prediction\":0.5}", RejectReason.OUT_OF_RANGE,
                "field 'model' is 1025 characters long, more than 1024");

        ParseResult<LabelEvent> noLabel = PARSER.parseLabel(bytes("{\"prediction_id\":\"a\"}"), RECORD_TIME);
        assertThat(noLabel).isEqualTo(ParseResult.reject(RejectReason.MISSING_FIELD, "field 'label' is required in a label record"));
        ParseResult<LabelEvent> objectLabel = PARSER.parseLabel(bytes("{\"prediction_id\":\"a\",\"label\":[1]}"), RECORD_TIME);
        assertThat(objectLabel).isEqualTo(ParseResult.reject(RejectReason.WRONG_TYPE,
                "field 'label' must be 0, 1, true, false, a number or a class name, got array [1]"));

        byte[] big = bytes(BENCH_RECORD + " ".repeat(100));
        assertThat(TIGHT.parsePrediction(big, 0L)).isEqualTo(ParseResult.reject(RejectReason.OVERSIZED,
                "record value is " + big.length + " bytes, more than losswatch.input.max.bytes=160"));
        assertThat(PARSER.parsePrediction(null, 0L)).isEqualTo(ParseResult.reject(RejectReason.INVALID_JSON, "empty record value"));
    }

    // --- the fast path against the tree path

    /** Whatever the record, parsing it gives exactly what the tree path alone gives. */
    @Property(tries = 3000)
    void theFastPathGivesTheTreesResult(@ForAll("records") byte[] value, @ForAll boolean tight) {
        EventParser parser = tight ? TIGHT : PARSER;
        ParseResult<PredictionEvent> prediction = parser.parsePrediction(value, RECORD_TIME);
        assertThat(prediction).isEqualTo(parser.treePrediction(value, RECORD_TIME));
        ParseResult<LabelEvent> label = parser.parseLabel(value, RECORD_TIME);
        assertThat(label).isEqualTo(parser.treeLabel(value, RECORD_TIME));

        boolean streamed = parser.streamPrediction(value, RECORD_TIME) != null;
        String outcome = prediction instanceof ParseResult.Rejected<PredictionEvent> r ? r.rejection().reason() : "ok";
        Statistics.label("prediction path").collect(streamed ? "streamed" : "tree");
        Statistics.label("prediction outcome").collect(outcome);
        // the records must exercise both paths and both outcomes, or the property says little
        Statistics.label("prediction path").coverage(c -> {
            c.check("streamed").percentage(p -> p > 20);
            c.check("tree").percentage(p -> p > 20);
        });
        Statistics.label("prediction outcome").coverage(c -> c.check("ok").percentage(p -> p > 5));
    }

    @Provide
    Arbitrary<byte[]> records() {
        Arbitrary<String> objects = Combinators.combine(fieldLists(), whitespace(), whitespace(), trailers())
                .as((fields, before, after, trailer) -> before + "{" + String.join(",", fields) + "}" + after + trailer);
        Arbitrary<byte[]> wellFormed = objects.map(EventParserTest::bytes);
        return Arbitraries.frequencyOf(
                Tuple.of(12, wellFormed),
                // cut short
                Tuple.of(2, wellFormed.flatMap(b -> Arbitraries.integers().between(0, b.length)
                        .map(n -> Arrays.copyOf(b, n)))),
                // one byte replaced by any other
                Tuple.of(2, Combinators.combine(wellFormed, Arbitraries.integers().greaterOrEqual(0), Arbitraries.bytes())
                        .as((b, at, garbage) -> {
                            byte[] copy = b.clone();
                            if (copy.length > 0) {
                                copy[at % copy.length] = garbage;
                            }
                            return copy;
                        })),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(40)),
                // not an object
                Tuple.of(1, anyValue().map(EventParserTest::bytes)));
    }

    /** Mostly the known fields each once in any order, sometimes with an unknown or a repeated one. */
    private Arbitrary<List<String>> fieldLists() {
        Arbitrary<List<String>> anyKnown = Arbitraries.subsetOf(KNOWN).map(ArrayList::new);
        // model and prediction are required, and a record without them says little past that
        Arbitrary<List<String>> complete = Arbitraries.subsetOf(KNOWN.subList(1, 4).toArray(String[]::new)).map(set -> {
            List<String> list = new ArrayList<>(set);
            list.addAll(List.of("model", "prediction", "label"));
            return list;
        });
        Arbitrary<List<String>> names = Arbitraries.frequencyOf(Tuple.of(1, anyKnown), Tuple.of(1, complete))
                .flatMap(Arbitraries::shuffle);
        Arbitrary<List<String>> withOdd = Combinators.combine(names, oddNames(), Arbitraries.integers().between(0, 6))
                .as((list, odd, at) -> {
                    List<String> copy = new ArrayList<>(list);
                    copy.add(Math.min(at, copy.size()), odd);
                    return copy;
                });
        Arbitrary<List<String>> chosen = Arbitraries.frequencyOf(Tuple.of(6, names), Tuple.of(2, withOdd),
                Tuple.of(1, Arbitraries.of(KNOWN).list().ofMaxSize(8)));
        return chosen.flatMap(list -> {
            List<Arbitrary<String>> fields = new ArrayList<>();
            for (String name : list) {
                fields.add(Combinators.combine(whitespace(), whitespace(), values(name))
                        .as((a, b, v) -> a + quoted(name) + b + ":" + a + v + b));
            }
            return Combinators.combine(fields).as(l -> l);
        });
    }

    private static Arbitrary<String> oddNames() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(KNOWN)),
                Tuple.of(3, Arbitraries.of("extra", "Model", "label ", "", "predictionId", "modèle", "prediction\u0000")),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(8)));
    }

    /** Values for one field: mostly of the kind it wants, sometimes anything. */
    private static Arbitrary<String> values(String field) {
        Arbitrary<String> fitting = switch (field) {
            case "model", "model_version" -> Arbitraries.oneOf(Arbitraries.of("\"model-00042\"", "\"v1\"", "\"\"", "null"),
                    strings());
            case "prediction_id" -> Arbitraries.oneOf(Arbitraries.of("\"p-17\"", "17", "null"), strings(),
                    Arbitraries.longs().map(String::valueOf), bigIntegers());
            case "timestamp" -> Arbitraries.oneOf(Arbitraries.longs().between(-5, EventParser.MAX_TIMESTAMP + 5).map(String::valueOf),
                    Arbitraries.of("1764000012345", "\"2026-11-24T06:00:00Z\"", "\"2026-11-24T07:00:00.5+01:00\"",
                            "\"+10000-01-01T00:00:00Z\"", "\"1969-12-31T23:59:59Z\"", "\"soon\"", "null", "1.0"));
            case "prediction" -> Arbitraries.oneOf(Arbitraries.doubles().between(0, 1).map(String::valueOf),
                    Arbitraries.of("0.8731", "1", "0", "{\"cat\":0.7,\"dog\":0.3}", "{}", "{\"a\":-1}"));
            case "label" -> Arbitraries.of("0", "1", "true", "false", "\"cat\"", "0.5", "null", "2");
            default -> anyValue();
        };
        return Arbitraries.frequencyOf(Tuple.of(4, fitting), Tuple.of(1, anyValue()));
    }

    private static Arbitrary<String> anyValue() {
        return Arbitraries.oneOf(
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                bigIntegers(),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.floats().map(String::valueOf),
                Arbitraries.of("1e400", "-1e400", "1e-400", "NaN", "Infinity", "-Infinity", "+Infinity", "-NaN", "-0", "0.0", "-0.0",
                        "1E2", "1.5e-3", "01", "1.", ".5", "0x10", "1e", "2147483648", "-2147483649", "9223372036854775808",
                        "-9223372036854775809", "1" + "0".repeat(1100), "0." + "1".repeat(1100)),
                Arbitraries.of("true", "false", "null", "tru", "nul", "True"),
                strings(),
                Arbitraries.of("[]", "{}", "[1,2]", "{\"a\":0.3,\"b\":0.7}", "{\"a\":{\"b\":{\"c\":1}}}", "[[[]]]",
                        "{\"x\":[1,{\"y\":null}]}", "\"unterminated", "'single'"));
    }

    private static Arbitrary<String> strings() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.strings().ofMaxLength(12).map(EventParserTest::quoted)),
                Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1020).ofMaxLength(1030)
                        .map(EventParserTest::quoted)),
                Tuple.of(1, Arbitraries.of("\"\\u00e9\\ud83d\\ude00\"", "\"\\ud800\"", "\"tab\there\"", "\"bad \\x escape\"", "\"é😀\"")));
    }

    private static Arbitrary<String> bigIntegers() {
        return Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)).map(BigInteger::toString);
    }

    private static Arbitrary<String> whitespace() {
        return Arbitraries.of("", "", "", " ", "\n", "\t", "\r\n  ");
    }

    private static Arbitrary<String> trailers() {
        return Arbitraries.frequencyOf(Tuple.of(20, Arbitraries.just("")),
                Tuple.of(1, Arbitraries.of("{}", "x", "]", "}", ",", "null", "1", "/* c */", "\u0000", " \n")));
    }

    // --- helpers

    /** A JSON string literal of s; control characters are escaped, all else is as is. */
    private static String quoted(String s) {
        return s.chars().mapToObj(c -> c == '"' || c == '\\' ? "\\" + (char) c
                        : c < 0x20 ? String.format("\\u%04x", c) : String.valueOf((char) c))
                .collect(Collectors.joining("", "\"", "\""));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static PredictionEvent prediction(String json) {
        ParseResult<PredictionEvent> parsed = PARSER.parsePrediction(bytes(json), RECORD_TIME);
        assertThat(parsed).isEqualTo(PARSER.treePrediction(bytes(json), RECORD_TIME));
        assertThat(parsed).isInstanceOf(ParseResult.Ok.class);
        return ((ParseResult.Ok<PredictionEvent>) parsed).event();
    }

    private static LabelEvent label(String json) {
        ParseResult<LabelEvent> parsed = PARSER.parseLabel(bytes(json), RECORD_TIME);
        assertThat(parsed).isEqualTo(PARSER.treeLabel(bytes(json), RECORD_TIME));
        assertThat(parsed).isInstanceOf(ParseResult.Ok.class);
        return ((ParseResult.Ok<LabelEvent>) parsed).event();
    }

    private static void assertRejected(String json, String reason, String messageStart) {
        ParseResult<PredictionEvent> parsed = PARSER.parsePrediction(bytes(json), RECORD_TIME);
        assertThat(parsed).isEqualTo(PARSER.treePrediction(bytes(json), RECORD_TIME));
        assertThat(parsed).isInstanceOf(ParseResult.Rejected.class);
        Rejection rejection = ((ParseResult.Rejected<PredictionEvent>) parsed).rejection();
        assertThat(rejection.reason()).as(json).isEqualTo(reason);
        assertThat(rejection.message()).as(json).startsWith(messageStart);
    }
}
