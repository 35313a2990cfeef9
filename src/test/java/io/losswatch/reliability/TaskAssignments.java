package io.losswatch.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which tasks an instance owns, read from its log. The application's own logback.xml keeps Kafka at
 * WARN; {@link #jvmOptions(Path)} runs it with the same configuration plus Kafka Streams' TaskManager
 * at INFO, which logs every assignment it receives ("New active tasks: [...] New standby tasks: [...]").
 */
final class TaskAssignments {
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "New active tasks: \\[([^\\]]*)\\]\\s+New standby tasks: \\[([^\\]]*)\\]");

    /** The active and standby task ids of one assignment. */
    record Assignment(Set<String> active, Set<String> standby) {
    }

    private TaskAssignments() {
    }

    /** JVM options that make the jar log its task assignments; writes the logback file into dir. */
    static List<String> jvmOptions(Path dir) throws IOException {
        String config;
        try (InputStream in = TaskAssignments.class.getResourceAsStream("/logback.xml")) {
            if (in == null) {
                throw new IllegalStateException("the application's logback.xml is not on the test class path");
            }
            config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String withTasks = config.replace("<root ",
                "<logger name=\"org.apache.kafka.streams.processor.internals.TaskManager\" level=\"INFO\"/>\n  <root ");
        if (withTasks.equals(config)) {
            throw new IllegalStateException("unexpected logback.xml: no <root> element");
        }
        Files.createDirectories(dir);
        Path file = dir.resolve("logback-tasks.xml");
        Files.writeString(file, withTasks, StandardCharsets.UTF_8);
        return List.of("-Dlogback.configurationFile=" + file.toAbsolutePath());
    }

    /** Every assignment in the log, oldest first. */
    static List<Assignment> all(String log) {
        Matcher m = ASSIGNMENT.matcher(log);
        List<Assignment> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(new Assignment(ids(m.group(1)), ids(m.group(2))));
        }
        return out;
    }

    /** The newest assignment in the log, or an empty one. */
    static Assignment latest(String log) {
        List<Assignment> all = all(log);
        return all.isEmpty() ? new Assignment(Set.of(), Set.of()) : all.get(all.size() - 1);
    }

    private static Set<String> ids(String list) {
        Set<String> out = new TreeSet<>();
        Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
        return out;
    }
}
