package io.losswatch.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * Samples this JVM's heap every few milliseconds while losswatch runs in it: the highest heap in use
 * (garbage included, as the JVM holds it) and the highest heap still in use after a collection
 * (the live data). A fixed -Xmx bounds the first; the second is what losswatch needs.
 */
final class HeapSampler implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peakUsed;
    private volatile long peakAfterGc;
    private long seenCollections = -1;

    HeapSampler() {
        System.gc();
        thread = new Thread(this::sample, "bench-heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        while (running) {
            long used = memory.getHeapMemoryUsage().getUsed();
            if (used > peakUsed) {
                peakUsed = used;
            }
            long collections = 0;
            for (GarbageCollectorMXBean gc : collectors) {
                collections += gc.getCollectionCount();
            }
            if (collections == seenCollections) {
                sleep();
                continue;
            }
            seenCollections = collections;
            for (GarbageCollectorMXBean gc : collectors) {
                if (gc instanceof com.sun.management.GarbageCollectorMXBean sun && sun.getLastGcInfo() != null) {
                    long after = 0;
                    for (MemoryUsage u : sun.getLastGcInfo().getMemoryUsageAfterGc().values()) {
                        after += u.getUsed();
                    }
                    // the non-heap pools (metaspace, code cache) are in the map too; keep heap only
                    after -= nonHeap(sun);
                    if (after > peakAfterGc) {
                        peakAfterGc = after;
                    }
                }
            }
            sleep();
        }
    }

    private void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            running = false;
        }
    }

    private static long nonHeap(com.sun.management.GarbageCollectorMXBean gc) {
        long total = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.NON_HEAP) {
                MemoryUsage u = gc.getLastGcInfo().getMemoryUsageAfterGc().get(pool.getName());
                if (u != null) {
                    total += u.getUsed();
                }
            }
        }
        return total;
    }

    long peakUsedBytes() {
        return peakUsed;
    }

    long peakAfterGcBytes() {
        return peakAfterGc;
    }

    long maxHeapBytes() {
        return memory.getHeapMemoryUsage().getMax();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
