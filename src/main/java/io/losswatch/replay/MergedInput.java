package io.losswatch.replay;

import java.util.List;

/**
 * Merges sources into one stream, always taking the head with the earliest {@link InputRecord#order}
 * (ties: the source listed first), as Kafka Streams takes the partition whose head has the lowest
 * timestamp. Each source keeps its own order, so a record the merged stream finds late was late in its
 * own partition or file too: merging adds no lateness. Deterministic for the same sources.
 */
final class MergedInput {
    private final List<Source> sources;

    MergedInput(List<Source> sources) {
        this.sources = List.copyOf(sources);
    }

    /** The next record in merged order, or null when every source is done. */
    InputRecord next() {
        Source best = null;
        InputRecord bestHead = null;
        for (Source s : sources) {
            InputRecord h = s.head();
            if (h != null && (bestHead == null || h.order() < bestHead.order())) {
                best = s;
                bestHead = h;
            }
        }
        if (best != null) {
            best.advance();
        }
        return bestHead;
    }
}
