package io.losswatch.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Field mappings (CONTRACT §10): JSON Pointer, header, key and constant sources, and the KServe format. */
class MappedRecordReaderTest {
    private static final EventParser PARSER = new EventParser(1_048_576, 32);
    private static final long RECORD_TIME = 1_764_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The example document of RFC 6901 §5. */
    private static final String RFC6901 = "{\"foo\": [\"bar\", \"baz\"], \"\": 0, \"a/b\": 1, \"c%d\": 2, \"e^f\": 3,"
            + " \"g|h\": 4, \"i\\\\j\": 5, \"k\\\"l\": 6, \" \": 7, \"m~n\": 8}";

    @Test
    void pointersReadTheRfc6901Examples() throws Exception {
        JsonNode doc = JSON.readTree(RFC6901);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("", doc.toString());
        expected.put("/foo", "[\"bar\",\"baz\"]");
        expected.put("/foo/0", "\"bar\"");
        expected.put("/", "0");
        expected.put("/a~1b", "1");
        expected.put("/c%d", "2");
        expected.put("/e^f", "3");
        expected.put("/g|h", "4");
        expected.put("/i\\j", "5");
        expected.put("/k\"l", "6");
        expected.put("/ ", "7");
        expected.put("/m~0n", "8");
        MappedRecordReader.Input in = input(RFC6901, Map.of(), null);
        expected.forEach((pointer, value) -> {
            MappedRecordReader reader = reader(Map.of("model", pointer));
            assertThat(reader.read(FieldSource.parse(pointer), doc, in, "model")).as(pointer).hasToString(value);
        });
        MappedRecordReader reader = reader(Map.of());
        assertThat(reader.read(FieldSource.parse("/foo/2"), doc, in, "model")).as("index past the end").isNull();
        assertThat(reader.read(FieldSource.parse("/nope/x"), doc, in, "model")).as("missing").isNull();
        assertThat(reader.read(FieldSource.parse("/m~1n"), doc, in, "model")).as("~1 is /, not ~").isNull();
    }

    @Test
    void malformedSourcesAreRefused() {
        assertThatThrownBy(() -> FieldSource.parse("meta/model")).hasMessageContaining("JSON Pointer starting with /");
        assertThatThrownBy(() -> FieldSource.parse("/a~2b")).hasMessageContaining("'~' must be followed by 0");
        assertThatThrownBy(() -> FieldSource.parse("/a~")).hasMessageContaining("'~' must be followed by 0");
        assertThatThrownBy(() -> FieldSource.parse("header:")).hasMessageContaining("header name");
        assertThat(FieldSource.parse("const:")).isEqualTo(new FieldSource.Const(""));
        assertThat(FieldSource.parse("key")).isEqualTo(new FieldSource.Key());
        assertThat(FieldSource.parse("header:x-model").text()).isEqualTo("header:x-model");
    }

    @Test
    void aNestedShapeIsReadThroughItsMappings() {
        MappedRecordReader reader = reader(Map.of("model", "/meta/model", "model_version", "/meta/v",
                "prediction_id", "/id", "timestamp", "/meta/at", "prediction", "/output/probabilities/1", "label", "/truth"));
        String value = "{\"id\":\"r-1\",\"meta\":{\"model\":\"churn\",\"v\":\"v7\",\"at\":\"2025-11-24T16:00:00.123Z\"},"
                + "\"output\":{\"probabilities\":[0.25,0.75]},\"truth\":1}";
        PredictionEvent p = only(reader.readPredictions(input(value, Map.of(), null)));
        assertThat(p).isEqualTo(new PredictionEvent("r-1", "churn", "v7", 1_764_000_000_123L,
                JSON.getNodeFactory().numberNode(0.75), JSON.getNodeFactory().numberNode(1)));
    }

    @Test
    void theReadmesNestedExampleReadsAsItSays() {
        MappedRecordReader reader = reader(Map.of("prediction_id", "/request/id", "timestamp", "/request/at",
                "model", "/meta/model", "model_version", "/meta/version", "prediction", "/output/probabilities/1",
                "label", "/outcome/churned"));
        String value = "{\"request\": {\"id\": \"r-81\", \"at\": \"2026-11-24T06:00:00.250Z\"},\n"
                + " \"meta\": {\"model\": \"churn\", \"version\": \"v7\"},\n"
                + " \"output\": {\"probabilities\": [0.07, 0.93]}, \"outcome\": {\"churned\": 1}}";
        PredictionEvent p = only(reader.readPredictions(input(value, Map.of(), null)));
        assertThat(p).isEqualTo(new PredictionEvent("r-81", "churn", "v7", java.time.Instant.parse("2026-11-24T06:00:00.250Z").toEpochMilli(),
                JSON.getNodeFactory().numberNode(0.93), JSON.getNodeFactory().numberNode(1)));
    }

    @Test
    void headersTheKeyAndConstantsAreUtf8Strings() {
        MappedRecordReader reader = reader(Map.of("model", "header:model", "model_version", "const:v1",
                "prediction_id", "key", "timestamp", "header:ts"));
        PredictionEvent p = only(reader.readPredictions(input("{\"prediction\":0.5}",
                Map.of("model", "bäume", "ts", "1764000000999"), "k-1")));
        assertThat(p.model()).isEqualTo("bäume");
        assertThat(p.modelVersion()).isEqualTo("v1");
        assertThat(p.predictionId()).isEqualTo("k-1");
        assertThat(p.eventTime()).as("digits in a header are epoch ms").isEqualTo(1_764_000_000_999L);

        Map<String, byte[]> bad = Map.of("model", new byte[] {(byte) 0xC3, (byte) 0x28});
        ReadResult<PredictionEvent> notUtf8 = reader.readPredictions(new MappedRecordReader.Input(utf8("k"),
                utf8("{\"prediction\":0.5}"), bad::get, RECORD_TIME));
        assertThat(rejection(notUtf8)).isEqualTo(new Rejection("wrong_type",
                "field 'model' is not UTF-8 text (read by losswatch.input.predictions.field.model=header:model)"));
    }

    @Test
    void absentOptionalTargetsTakeTheirDefaultsAndAbsentRequiredOnesAreRejectedNamingTheMapping() {
        MappedRecordReader reader = reader(Map.of("model", "/meta/model", "model_version", "/meta/v",
                "timestamp", "header:ts", "prediction", "/out/0", "label", "/y"));
        PredictionEvent p = only(reader.readPredictions(input("{\"meta\":{\"model\":\"m\"},\"out\":[0.9],\"y\":0}", Map.of(), null)));
        assertThat(p.modelVersion()).isEmpty();
        assertThat(p.eventTime()).as("no header: the record's time").isEqualTo(RECORD_TIME);
        assertThat(p.predictionId()).as("labelled: the id is optional").isNull();

        assertThat(rejection(reader.readPredictions(input("{\"out\":[0.9],\"y\":0}", Map.of(), null))))
                .isEqualTo(new Rejection("missing_field",
                        "field 'model' is required (read by losswatch.input.predictions.field.model=/meta/model)"));
        assertThat(rejection(reader.readPredictions(input("{\"meta\":{\"model\":\"m\"},\"out\":[],\"y\":0}", Map.of(), null))))
                .isEqualTo(new Rejection("missing_field",
                        "field 'prediction' is required (read by losswatch.input.predictions.field.prediction=/out/0)"));
    }

    @Test
    void presentTargetsOfTheWrongTypeAreRejectedNamingTheMapping() {
        MappedRecordReader reader = reader(Map.of("model", "/meta/model", "prediction", "/out/0", "timestamp", "/at"));
        assertThat(rejection(reader.readPredictions(input("{\"meta\":{\"model\":7},\"out\":[0.9]}", Map.of(), null))))
                .isEqualTo(new Rejection("wrong_type",
                        "field 'model' must be a string, got number 7 (read by losswatch.input.predictions.field.model=/meta/model)"));
        assertThat(rejection(reader.readPredictions(input("{\"prediction_id\":\"a\",\"meta\":{\"model\":\"m\"},\"out\":[\"x\"]}", Map.of(), null))).reason())
                .isEqualTo("wrong_type");
        assertThat(rejection(reader.readPredictions(input("{\"prediction_id\":\"a\",\"meta\":{\"model\":\"m\"},\"out\":[[0.9]]}", Map.of(), null))).message())
                .endsWith("(read by losswatch.input.predictions.field.prediction=/out/0)");
        assertThat(rejection(reader.readPredictions(input("{\"prediction_id\":\"a\",\"meta\":{\"model\":\"m\"},\"out\":[0.9],\"at\":true}", Map.of(), null))))
                .extracting(Rejection::reason).isEqualTo("invalid_timestamp");
        assertThat(rejection(reader.readPredictions(input("[1]", Map.of(), null))).reason()).isEqualTo("invalid_json");
        // an unmapped field is read as §4 says, and its rejection names no mapping
        assertThat(rejection(reader.readPredictions(input("{\"prediction_id\":\"a\",\"meta\":{\"model\":\"m\"},\"out\":[0.9],\"model_version\":3}",
                Map.of(), null)))).isEqualTo(new Rejection("wrong_type", "field 'model_version' must be a string, got number 3"));
    }

    @Test
    void labelsAreMappedToo() {
        MappedRecordReader reader = new MappedRecordReader(PARSER, new InputMapping("labels", InputMapping.Format.JSON,
                Map.of("prediction_id", FieldSource.parse("key"), "label", FieldSource.parse("/outcome/churned")), ""));
        ReadResult<LabelEvent> ok = reader.readLabel(input("{\"outcome\":{\"churned\":true}}", Map.of(), "p-9"));
        assertThat(ok).isEqualTo(new ReadResult.Events<>(List.of(new LabelEvent("p-9",
                JSON.getNodeFactory().booleanNode(true), RECORD_TIME))));
        assertThat(rejection(reader.readLabel(input("{}", Map.of(), "p-9")))).isEqualTo(new Rejection("missing_field",
                "field 'label' is required in a label record (read by losswatch.input.labels.field.label=/outcome/churned)"));
    }

    /** The streaming reader and the tree reader give the same result for every record, hostile ones included. */
    @Test
    void streamingAndTreeReadersAgree() {
        Map<String, FieldSource> fields = new HashMap<>();
        fields.put("model", FieldSource.parse("/meta/m~1n"));
        fields.put("model_version", FieldSource.parse("/meta/v/0"));
        fields.put("prediction", FieldSource.parse("/out/1"));
        fields.put("timestamp", FieldSource.parse("header:ts"));
        fields.put("label", FieldSource.parse("/y~0"));
        InputMapping mapping = new InputMapping("predictions", InputMapping.Format.JSON, fields, "");
        MappedRecordReader streaming = new MappedRecordReader(PARSER, mapping, true);
        MappedRecordReader tree = new MappedRecordReader(PARSER, mapping, false);
        List<String> fragments = List.of("\"meta\":{\"m/n\":\"churn\",\"v\":[\"v1\",2]}", "\"meta\":{\"m/n\":7}",
                "\"meta\":{\"m/n\":{\"x\":1}}", "\"meta\":[1,2]", "\"meta\":null", "\"meta\":{\"m/n\":\"a\",\"m/n\":\"b\"}",
                "\"out\":[0.1,0.9]", "\"out\":[0.1]", "\"out\":{\"1\":0.4}", "\"out\":[0.1,[0.9]]", "\"out\":[0.1,NaN]",
                "\"out\":[0.1,1e400]", "\"out\":[0.1,123456789012345678901234567890]", "\"out\":[0.1,{\"a\":1,\"b\":2}]",
                "\"y~\":1", "\"y~\":\"a\"", "\"y~\":[1]", "\"y~\":null", "\"prediction_id\":\"p-1\"", "\"prediction_id\":12",
                "\"prediction_id\":{}", "\"x\":{\"d\":1,\"d\":2}", "\"x\":[[[[[]]]]]", "\"out\":[0.2,0.3]");
        java.util.Random random = new java.util.Random(42);
        for (int n = 0; n < 3000; n++) {
            StringBuilder b = new StringBuilder("{");
            int count = random.nextInt(6);
            for (int i = 0; i < count; i++) {
                b.append(i == 0 ? "" : ",").append(fragments.get(random.nextInt(fragments.size())));
            }
            b.append("}");
            String value = switch (random.nextInt(12)) {
                case 0 -> b + " trailing";
                case 1 -> b.substring(0, random.nextInt(b.length()));
                case 2 -> "[" + b + "]";
                default -> b.toString();
            };
            Map<String, String> headers = random.nextBoolean() ? Map.of("ts", "1764000000123") : Map.of();
            MappedRecordReader.Input in = input(value, headers, null);
            assertThat(streaming.readPredictions(in)).as(value).isEqualTo(tree.readPredictions(in));
        }
        String deep = "{\"meta\":" + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + ",\"out\":[0,0.5],\"prediction_id\":\"d\"}";
        assertThat(streaming.readPredictions(input(deep, Map.of(), null))).isEqualTo(tree.readPredictions(input(deep, Map.of(), null)));
    }

    @Test
    void ordinaryRecordsAreStreamedAndOddOnesLeftToTheTree() {
        StreamedPointers pointers = new StreamedPointers(new com.fasterxml.jackson.core.JsonPointer[]{
                ((FieldSource.Pointer) FieldSource.parse("/meta/model")).pointer(),
                com.fasterxml.jackson.core.JsonPointer.compile("/out/1")});
        JsonNode[] values = PARSER.streamPointers(utf8("{\"x\":{\"y\":[1,{}]},\"meta\":{\"model\":\"m\"},\"out\":[0.1,0.9]}"), pointers);
        assertThat(values).isNotNull();
        assertThat(values[0].textValue()).isEqualTo("m");
        assertThat(values[1].doubleValue()).isEqualTo(0.9);
        assertThat(PARSER.streamPointers(utf8("{\"meta\":{\"model\":\"m\"},\"out\":[0.1,0.9]}"), pointers)).isNotNull();
        assertThat(PARSER.streamPointers(utf8("{\"meta\":{\"model\":\"m\"},\"out\":[0.1]}"), pointers)[1]).as("missing").isNull();
        assertThat(PARSER.streamPointers(utf8("{\"x\":{\"y\":1,\"y\":2},\"meta\":{\"model\":\"m\"}}"), pointers))
                .as("a duplicate name anywhere").isNull();
        assertThat(PARSER.streamPointers(utf8("{\"meta\":{\"model\":[\"m\"]}}"), pointers)).as("a non-scalar target").isNull();
        assertThat(PARSER.streamPointers(utf8("{\"meta\":{}} x"), pointers)).as("trailing tokens").isNull();

        // pointers that share a path, one read into two slots, a slot not read from the value, and a token
        // that is a member's name in an object and an index in an array, as JsonNode.at reads them
        StreamedPointers shared = new StreamedPointers(new com.fasterxml.jackson.core.JsonPointer[]{
                com.fasterxml.jackson.core.JsonPointer.compile("/meta/model"),
                com.fasterxml.jackson.core.JsonPointer.compile("/meta/version"),
                null,
                com.fasterxml.jackson.core.JsonPointer.compile("/meta/model"),
                com.fasterxml.jackson.core.JsonPointer.compile("/p/1"),
                com.fasterxml.jackson.core.JsonPointer.compile("/q/1")});
        JsonNode[] read = PARSER.streamPointers(utf8("{\"q\":{\"1\":\"one\",\"0\":2},\"meta\":{\"version\":\"v\",\"model\":\"m\"},\"p\":[7,8,9]}"), shared);
        assertThat(read).hasSize(6);
        assertThat(read[0].textValue()).isEqualTo("m");
        assertThat(read[1].textValue()).isEqualTo("v");
        assertThat(read[2]).isNull();
        assertThat(read[3].textValue()).isEqualTo("m");
        assertThat(read[4].intValue()).isEqualTo(8);
        assertThat(read[5].textValue()).isEqualTo("one");
        assertThat(PARSER.streamPointers(utf8("{\"meta\":{\"model\":\"a\",\"version\":\"v\",\"model\":\"b\"}}"), shared))
                .as("a name read twice").isNull();
        assertThat(PARSER.streamPointers(utf8("{\"meta\":{\"model\":\"a\",\"z\":1,\"y\":1,\"z\":2}}"), shared))
                .as("a name no pointer reads, twice").isNull();
        assertThat(PARSER.streamPointers(utf8("{\"meta\":{\"model\":\"a\"},\"meta\":{}}"), shared))
                .as("a level's name twice").isNull();
        StreamedPointers prefix = new StreamedPointers(new com.fasterxml.jackson.core.JsonPointer[]{
                com.fasterxml.jackson.core.JsonPointer.compile("/meta"),
                com.fasterxml.jackson.core.JsonPointer.compile("/meta/model")});
        assertThat(PARSER.streamPointers(utf8("{\"meta\":\"flat\"}"), prefix)[0].textValue()).isEqualTo("flat");
        assertThat(PARSER.streamPointers(utf8("{\"meta\":{\"model\":\"m\"}}"), prefix)).as("an object at a pointer").isNull();
        assertThatThrownBy(() -> new StreamedPointers(new com.fasterxml.jackson.core.JsonPointer[]{
                com.fasterxml.jackson.core.JsonPointer.compile("")})).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- KServe ----

    @Test
    void kserveV1ResponsesGiveOnePredictionPerRow() {
        MappedRecordReader reader = kserve(Map.of(), "");
        ReadResult<PredictionEvent> read = reader.readPredictions(kserveInput("{\"predictions\":[0.1,0.8,1]}",
                "org.kubeflow.serving.inference.response"));
        List<PredictionEvent> events = ((ReadResult.Events<PredictionEvent>) read).events();
        assertThat(events).extracting(PredictionEvent::predictionId).containsExactly(
                "5e4ad3a9-86b2-4a8c-b7a0-0cf4dd65a1b5-0", "5e4ad3a9-86b2-4a8c-b7a0-0cf4dd65a1b5-1",
                "5e4ad3a9-86b2-4a8c-b7a0-0cf4dd65a1b5-2");
        assertThat(events).extracting(PredictionEvent::model).containsOnly("sklearn-iris");
        assertThat(events).extracting(PredictionEvent::modelVersion).containsOnly("");
        // 2025-11-24T16:00:00.123456789Z truncated to the millisecond
        assertThat(events).extracting(PredictionEvent::eventTime).containsOnly(1_764_000_000_123L);
        assertThat(events).extracting(e -> e.prediction().doubleValue()).containsExactly(0.1, 0.8, 1.0);

        ReadResult<PredictionEvent> multi = reader.readPredictions(kserveInput("{\"predictions\":[[0.2,0.3,0.5]]}",
                "org.kubeflow.serving.inference.response"));
        assertThat(only(multi).prediction()).hasToString("{\"0\":0.2,\"1\":0.3,\"2\":0.5}");
    }

    @Test
    void kserveV2ResponsesAreReadFlatOrNestedFromTheFirstOrTheNamedOutput() {
        String flat = "{\"model_name\":\"iris\",\"id\":\"x\",\"outputs\":[{\"name\":\"predict\",\"shape\":[2,3],"
                + "\"datatype\":\"FP32\",\"data\":[0.1,0.2,0.7,0.6,0.3,0.1]},"
                + "{\"name\":\"score\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[0.9,0.4]}]}";
        List<PredictionEvent> first = events(kserve(Map.of(), "").readPredictions(kserveInput(flat, MappedRecordReader.KSERVE_RESPONSE)));
        assertThat(first).extracting(e -> e.prediction().toString())
                .containsExactly("{\"0\":0.1,\"1\":0.2,\"2\":0.7}", "{\"0\":0.6,\"1\":0.3,\"2\":0.1}");
        List<PredictionEvent> named = events(kserve(Map.of(), "score").readPredictions(kserveInput(flat, MappedRecordReader.KSERVE_RESPONSE)));
        assertThat(named).extracting(e -> e.prediction().doubleValue()).containsExactly(0.9, 0.4);

        String nested = "{\"outputs\":[{\"name\":\"p\",\"shape\":[2,2],\"data\":[[0.25,0.75],[1,0]]}]}";
        assertThat(events(kserve(Map.of(), "").readPredictions(kserveInput(nested, MappedRecordReader.KSERVE_RESPONSE))))
                .extracting(e -> e.prediction().toString()).containsExactly("{\"0\":0.25,\"1\":0.75}", "{\"0\":1,\"1\":0}");
        String column = "{\"outputs\":[{\"name\":\"p\",\"shape\":[2,1],\"data\":[0.25,0.5]}]}";
        assertThat(events(kserve(Map.of(), "").readPredictions(kserveInput(column, MappedRecordReader.KSERVE_RESPONSE))))
                .extracting(e -> e.prediction().doubleValue()).containsExactly(0.25, 0.5);

        assertThat(rejection(kserve(Map.of(), "").readPredictions(kserveInput(
                "{\"outputs\":[{\"shape\":[2,3],\"data\":[0.1,0.2]}]}", MappedRecordReader.KSERVE_RESPONSE))))
                .isEqualTo(new Rejection("wrong_type", "KServe V2 output of shape [2,3] has 2 data values"));
        assertThat(rejection(kserve(Map.of(), "nope").readPredictions(kserveInput(flat, MappedRecordReader.KSERVE_RESPONSE))).message())
                .contains("no output named 'nope'");
    }

    @Test
    void kserveRequestsAndOtherTypesAreSkippedAndBadResponsesRejected() {
        MappedRecordReader reader = kserve(Map.of(), "");
        assertThat(reader.readPredictions(kserveInput("{\"instances\":[[1,2]]}", "org.kubeflow.serving.inference.request")))
                .isEqualTo(new ReadResult.Skipped<>("kserve_request"));
        assertThat(reader.readPredictions(kserveInput("{}", "com.example.other")))
                .isEqualTo(new ReadResult.Skipped<>("other_event_type"));
        assertThat(reader.readPredictions(kserveInput("{\"predictions\":[]}", MappedRecordReader.KSERVE_RESPONSE)))
                .isEqualTo(new ReadResult.Skipped<>("no_predictions"));
        assertThat(rejection(reader.readPredictions(input("{\"predictions\":[0.5]}", Map.of(), null))).reason())
                .isEqualTo("missing_field");
        assertThat(rejection(reader.readPredictions(kserveInput("{\"predictions\":[0.5, \"x\"]}", MappedRecordReader.KSERVE_RESPONSE))))
                .isEqualTo(new Rejection("wrong_type", "prediction 1 of 2: field 'prediction' must be a number or an object of"
                        + " class probabilities, got string \"x\" (read from the KServe response body,"
                        + " losswatch.input.predictions.format=kserve)"));
    }

    @Test
    void aModelsClassNamesNameTheColumnsOfItsRows() {
        MappedRecordReader reader = new MappedRecordReader(PARSER, new InputMapping("predictions", InputMapping.Format.KSERVE,
                Map.of(), ""), model -> model.equals("sklearn-iris") ? List.of("setosa", "versicolor", "virginica") : List.of());
        assertThat(only(reader.readPredictions(kserveInput("{\"predictions\":[[0.2,0.3,0.5]]}", MappedRecordReader.KSERVE_RESPONSE)))
                .prediction()).hasToString("{\"setosa\":0.2,\"versicolor\":0.3,\"virginica\":0.5}");
        assertThat(rejection(reader.readPredictions(kserveInput("{\"predictions\":[[0.5,0.5]]}", MappedRecordReader.KSERVE_RESPONSE))))
                .isEqualTo(new Rejection("out_of_range",
                        "prediction 0 of 1: a row of 2 values, but losswatch.model.sklearn-iris.classes names 3 classes"));
        assertThat(only(reader.readPredictions(kserveInput("{\"predictions\":[0.5]}", MappedRecordReader.KSERVE_RESPONSE)))
                .prediction().doubleValue()).as("one number: binary").isEqualTo(0.5);
    }

    @Test
    void mappingsApplyOnTopOfKserve() {
        MappedRecordReader reader = kserve(Map.of("model_version", "header:ce_modelversion", "model", "header:ce_component"), "");
        Map<String, String> headers = new HashMap<>(kserveHeaders(MappedRecordReader.KSERVE_RESPONSE));
        headers.put("ce_modelversion", "v3");
        PredictionEvent p = only(reader.readPredictions(input("{\"predictions\":[0.5]}", headers, null)));
        assertThat(p.modelVersion()).isEqualTo("v3");
        assertThat(p.model()).isEqualTo("predictor");
        headers.remove("ce_inferenceservicename");
        headers.remove("ce_component");
        assertThat(rejection(reader.readPredictions(input("{\"predictions\":[0.5]}", headers, null))).message())
                .isEqualTo("field 'model' is required (read by losswatch.input.predictions.field.model=header:ce_component)");
        headers.remove("ce_id");
        assertThat(rejection(kserve(Map.of(), "").readPredictions(input("{\"predictions\":[0.5]}", headers, null))).message())
                .startsWith("field 'model' is required (read from header ce_inferenceservicename");
    }

    // ---- helpers ----

    private static Map<String, String> kserveHeaders(String type) {
        Map<String, String> h = new HashMap<>();
        h.put("ce_specversion", "1.0");
        h.put("ce_id", "5e4ad3a9-86b2-4a8c-b7a0-0cf4dd65a1b5");
        h.put("ce_source", "http://localhost:9081/");
        h.put("ce_type", type);
        h.put("ce_time", "2025-11-24T16:00:00.123456789Z");
        h.put("ce_inferenceservicename", "sklearn-iris");
        h.put("ce_namespace", "default");
        h.put("ce_component", "predictor");
        h.put("ce_endpoint", "");
        h.put("content-type", "application/json");
        return h;
    }

    private static MappedRecordReader.Input kserveInput(String body, String type) {
        return input(body, kserveHeaders(type), null);
    }

    private static MappedRecordReader kserve(Map<String, String> fields, String output) {
        Map<String, FieldSource> sources = new HashMap<>();
        fields.forEach((f, s) -> sources.put(f, FieldSource.parse(s)));
        return new MappedRecordReader(PARSER, new InputMapping("predictions", InputMapping.Format.KSERVE, sources, output));
    }

    private static MappedRecordReader reader(Map<String, String> fields) {
        Map<String, FieldSource> sources = new HashMap<>();
        fields.forEach((f, s) -> sources.put(f, FieldSource.parse(s)));
        return new MappedRecordReader(PARSER, new InputMapping("predictions", InputMapping.Format.JSON, sources, ""));
    }

    private static MappedRecordReader.Input input(String value, Map<String, String> headers, String key) {
        return new MappedRecordReader.Input(key == null ? null : utf8(key), utf8(value),
                name -> headers.containsKey(name) ? utf8(headers.get(name)) : null, RECORD_TIME);
    }

    private static <T> T only(ReadResult<T> read) {
        List<T> events = events(read);
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private static <T> List<T> events(ReadResult<T> read) {
        assertThat(read).isInstanceOf(ReadResult.Events.class);
        return ((ReadResult.Events<T>) read).events();
    }

    private static Rejection rejection(ReadResult<?> read) {
        assertThat(read).isInstanceOf(ReadResult.Rejected.class);
        return ((ReadResult.Rejected<?>) read).rejection();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
