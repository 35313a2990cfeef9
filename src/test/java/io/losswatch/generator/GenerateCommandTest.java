package io.losswatch.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.runtime.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** generate's and demo's options on the command line; nothing here reaches a broker. */
class GenerateCommandTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream oldErr;
    private PrintStream oldOut;

    @BeforeEach
    void capture() {
        oldErr = System.err;
        oldOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(oldErr);
        System.setOut(oldOut);
    }

    @Test
    void everyOptionReachesTheGenerator() {
        GenerateCommand command = new GenerateCommand();
        new CommandLine(command).parseArgs("--bootstrap-server", "kafka:9092", "--models", "7", "--rate", "250.5",
                "--duration", "10m", "--label-delay", "PT45S", "--unlabelled-share", "0.1", "--drift-start", "90s",
                "--drift-ramp", "0s", "--drift-size", "1.25", "--malformed-share", "0.2", "--seed", "-3",
                "--predictions-topic", "p", "--labels-topic", "l");
        assertThat(command.bootstrapServer).isEqualTo("kafka:9092");
        assertThat(command.options()).isEqualTo(new GeneratorOptions(7, 250.5, Optional.of(Duration.ofMinutes(10)),
                Duration.ofSeconds(45), 0.1, Duration.ofSeconds(90), Duration.ZERO, 1.25, 0.2, -3, "p", "l"));
    }

    @Test
    void defaultsAreDocumented() {
        GenerateCommand command = new GenerateCommand();
        new CommandLine(command).parseArgs();
        assertThat(command.bootstrapServer).isEqualTo("localhost:9092");
        assertThat(command.options()).isEqualTo(new GeneratorOptions(4, 50, Optional.empty(), Duration.ofSeconds(10),
                0.02, Duration.ofMinutes(15), Duration.ofMinutes(1), 0.5, 0.01, 42, "predictions", "labels"));
        assertThat(Main.execute("generate", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--rate", "--drift-start", "--malformed-share",
                "--bootstrap-server", "--rate=PER_SECOND", "(default: 4)");
    }

    @Test
    void aBadValueIsAUsageErrorNamingTheOption() {
        assertThat(Main.execute("generate", "--rate", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--rate=0.0: expected").doesNotContain("Exception");
        err.reset();
        assertThat(Main.execute("generate", "--duration", "soon")).isEqualTo(2);
        // the words of the configuration's error (io.losswatch.config.Durations)
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("'soon' is not a duration such as 30s, 5m, 1h30m or PT30S (units ms, s, m, h, d)");
        err.reset();
        assertThat(Main.execute("demo", "--window", "0s")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--window");
        err.reset();
        assertThat(Main.execute("demo", "--kafka-port", "70000")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--kafka-port");
    }

    @Test
    void durationsAreIsoOrShort() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(DurationConverter.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationConverter.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(DurationConverter.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(DurationConverter.format(Duration.ZERO)).isEqualTo("0s");
    }
}
