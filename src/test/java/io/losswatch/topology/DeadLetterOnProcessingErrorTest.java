package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The safety net the Streams settings install: a record whose processing throws goes to the dead-letter
 * topic with CONTRACT §7's headers and its own bytes, and the records after it are processed as usual.
 * The topology here is a stand-in with a step that fails on one value (losswatch's own steps dead-letter
 * every foreseen problem themselves); the settings are losswatch's.
 */
class DeadLetterOnProcessingErrorTest {

    /** Passes every value on, and fails on "boom" as a bug would. */
    static final class FailsOnBoom implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, String> record) {
            if (record.value().equals("boom")) {
                throw new IllegalStateException("a bug met " + record.value());
            }
            context.forward(record);
        }
    }

    @Test
    void aRecordWhoseProcessingThrowsIsDeadLetteredAndTheNextOnesGoOn() throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()).withName("in-source"))
                .process(FailsOnBoom::new, Named.as("fails-on-boom"))
                .to("out", Produced.with(Serdes.String(), Serdes.String()).withName("out-sink"));
        Properties kafka = new Properties();
        kafka.put("application.id", "processing-error-test");
        kafka.put("bootstrap.servers", "dummy:9092");
        Path state = Files.createTempDirectory("losswatch-processing-error");
        kafka.put("state.dir", state.toString());
        List<String> counted = new ArrayList<>();
        Properties props = LosswatchTopology.streamsProperties(kafka, "the-dlq");
        props.put(DeadLetterOnProcessingError.LISTENER, new PipelineListener() {
            @Override
            public void deadLetter(String reason) {
                counted.add(reason);
            }
        });
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", new StringDeserializer(), new StringDeserializer());
            TestOutputTopic<String, String> dlq = driver.createOutputTopic("the-dlq", new StringDeserializer(), new StringDeserializer());
            in.pipeInput(new TestRecord<>("k1", "a", null, 1_000L));
            in.pipeInput(new TestRecord<>("k2", "boom", null, 2_000L));
            in.pipeInput(new TestRecord<>("k3", "b", null, 3_000L));

            assertThat(out.readValuesToList()).containsExactly("a", "b");
            List<TestRecord<String, String>> dead = dlq.readRecordsToList();
            assertThat(dead).hasSize(1);
            TestRecord<String, String> d = dead.get(0);
            assertThat(d.key()).isEqualTo("k2");
            assertThat(d.value()).isEqualTo("boom");
            Headers h = d.headers();
            assertThat(header(h, Names.HEADER_REASON)).isEqualTo("processing_error");
            assertThat(header(h, Names.HEADER_MESSAGE))
                    .isEqualTo("processing failed in fails-on-boom: java.lang.IllegalStateException: a bug met boom");
            assertThat(header(h, Names.HEADER_TOPIC)).isEqualTo("in");
            assertThat(header(h, Names.HEADER_PARTITION)).isEqualTo("0");
            assertThat(header(h, Names.HEADER_OFFSET)).isEqualTo("1");
            assertThat(counted).containsExactly("processing_error");
        }
    }

    @Test
    void aUserChoiceOfHandlerIsKept() {
        Properties kafka = new Properties();
        kafka.put("processing.exception.handler", "org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler");
        assertThat(LosswatchTopology.streamsProperties(kafka, "dlq").getProperty("processing.exception.handler"))
                .isEqualTo("org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler");
    }

    private static String header(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
