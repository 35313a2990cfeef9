package io.losswatch.replay;

/** One ordered stream of input records: a topic partition or a file, read in its own order. */
interface Source {
    /** The next record without taking it; null once the source is done. */
    InputRecord head();

    /** Takes the head. */
    void advance();
}
