package io.losswatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The settings of README "Reading your own topics" load as written (a typo there would stop start-up). */
class ReadmeMappingExamplesTest {
    @Test
    void everyPropertiesBlockOfTheSectionIsAValidConfiguration() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("## Reading your own topics");
        String section = readme.substring(start, readme.indexOf("\n## ", start + 3));
        List<String> blocks = new ArrayList<>();
        for (int i = section.indexOf("```properties\n"); i >= 0; i = section.indexOf("```properties\n", i + 1)) {
            int from = i + "```properties\n".length();
            blocks.add(section.substring(from, section.indexOf("```", from)));
        }
        assertThat(blocks).hasSize(3);
        for (String block : blocks) {
            Properties props = new Properties();
            props.load(new StringReader(block));
            assertThat(props).isNotEmpty();
            LosswatchConfig.from(props);
        }
    }
}
