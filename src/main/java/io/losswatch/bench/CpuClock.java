package io.losswatch.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent so far by this JVM, by its threads whose names contain a word, and by another
 * process (the broker, from /proc on Linux): what a phase cost, beside how long it took.
 */
final class CpuClock {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private CpuClock() {
    }

    record Sample(double jvmSeconds, double threadSeconds, double brokerSeconds) {
        Sample minus(Sample before) {
            return new Sample(jvmSeconds - before.jvmSeconds, threadSeconds - before.threadSeconds,
                    brokerSeconds - before.brokerSeconds);
        }
    }

    static Sample now(long brokerPid, String threadWord) {
        return new Sample(jvmSeconds(), threadSeconds(threadWord), processSeconds(brokerPid));
    }

    static double jvmSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /** CPU of the live threads whose name contains word (a thread that has ended is not counted). */
    static double threadSeconds(String word) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains(word)) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                if (t > 0) {
                    total += t;
                }
            }
        }
        return total / 1e9;
    }

    /** CPU seconds of every thread of this JVM by name (GC and JIT threads included), from /proc/self/task. */
    static java.util.Map<String, Double> threadsByName() {
        return threadsByName("self");
    }

    /**
     * CPU seconds of every thread of process pid ("self" for this JVM) by name, digits folded, from
     * /proc/PID/task; Linux keeps only the first 15 characters of a name. Empty where there is no /proc.
     */
    static java.util.Map<String, Double> threadsByName(String pid) {
        java.util.Map<String, Double> byName = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", pid, "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[0-9]+", "#");
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double seconds = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) TICKS_PER_SECOND;
                    byName.merge(name, seconds, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return byName;
        }
        return byName;
    }

    /** The threads that used the most CPU between two threadsByName() samples, as one line. */
    static String topThreads(java.util.Map<String, Double> before, java.util.Map<String, Double> after, int n) {
        StringBuilder line = new StringBuilder();
        after.entrySet().stream()
                .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(n)
                .forEach(e -> line.append(String.format(java.util.Locale.ROOT, "%s %.1f s; ", e.getKey(), e.getValue())));
        return line.toString();
    }

    /** utime + stime of a process from /proc/PID/stat; NaN where there is no /proc. */
    static double processSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ", field 3 (state) is index 0: utime is field 14, stime field 15
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
