package io.losswatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's exit codes and messages; nothing here reaches a broker. */
class MainTest {
    @TempDir
    Path dir;
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

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(Main.execute("frobnicate")).isEqualTo(2);
        assertThat(err()).contains("frobnicate").contains("--help");
    }

    @Test
    void unknownSettingStopsStartUpWithOneLineNamingIt() throws IOException {
        Path f = dir.resolve("bad.properties");
        Files.writeString(f, "bootstrap.servers=localhost:1\nlosswatch.windw.size=PT1M\n");
        assertThat(Main.execute("run", "--config", f.toString())).isEqualTo(2);
        assertThat(err().strip()).startsWith("losswatch: unknown setting losswatch.windw.size (in " + f + ")")
                .doesNotContain("\n");
    }

    @Test
    void badValueStopsStartUpWithOneLine() throws IOException {
        Path f = dir.resolve("bad.properties");
        Files.writeString(f, "losswatch.window.size=PT-1M\n");
        assertThat(Main.execute("run", "--config", f.toString())).isEqualTo(2);
        assertThat(err().strip()).startsWith("losswatch: losswatch.window.size='PT-1M'").doesNotContain("\n");
    }

    @Test
    void missingConfigFileIsAUsageError() {
        assertThat(Main.execute("run", "--config", dir.resolve("nope.properties").toString())).isEqualTo(2);
        assertThat(err()).contains("cannot read config file");
        assertThat(Main.execute("run")).as("--config is required").isEqualTo(2);
    }

    @Test
    void helpAndVersion() {
        assertThat(Main.execute("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("run").contains("Usage: losswatch");
        assertThat(Main.execute("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("losswatch ");
    }
}
