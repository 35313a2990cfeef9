package io.losswatch.event;

import com.fasterxml.jackson.core.JsonPointer;
import java.util.Arrays;

/**
 * JSON Pointers (CONTRACT §10) merged into a tree of their tokens, as the streaming reader follows them
 * through a record: at each level, the names (or array indices) that some pointer goes through, the
 * pointers that end there and the level below. Reading a record then costs one lookup per member, however
 * many pointers there are, instead of one comparison per member and pointer.
 */
final class StreamedPointers {
    /** The most pointers one tree holds, so that a level's members seen fit in a long. */
    static final int MAX = 63;

    final Level root = new Level();
    /** Slots of the result: a pointer's value goes to the slot it was given. */
    final int slots;

    /**
     * pointers[s] is read into slot s (null: slot s is not read from the value). Throws
     * IllegalArgumentException for a set it cannot stream: the empty pointer (the whole record), or more
     * than {@link #MAX} pointers.
     */
    StreamedPointers(JsonPointer[] pointers) {
        int count = 0;
        for (int s = 0; s < pointers.length; s++) {
            JsonPointer pointer = pointers[s];
            if (pointer == null) {
                continue;
            }
            if (pointer.matches()) {
                throw new IllegalArgumentException("the empty pointer reads the whole record");
            }
            if (++count > MAX) {
                throw new IllegalArgumentException("more than " + MAX + " pointers");
            }
            Level level = root;
            for (JsonPointer q = pointer; ; q = q.tail()) {
                int member = level.add(q.getMatchingProperty(), q.getMatchingIndex());
                if (q.tail().matches()) {
                    level.ends[member] = append(level.ends[member], s);
                    break;
                }
                if (level.next[member] == null) {
                    level.next[member] = new Level();
                }
                level = level.next[member];
            }
        }
        this.slots = pointers.length;
    }

    private static int[] append(int[] a, int v) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }

    /**
     * One object's or array's members that pointers go through. A token matches an object's member by
     * name and an array's element by index, as {@link com.fasterxml.jackson.databind.JsonNode#at} does.
     */
    static final class Level {
        String[] names = new String[0];
        int[] hashes = new int[0];
        int[] indices = new int[0];
        /** Per member, the slots of the pointers that end there (often none). */
        int[][] ends = new int[0][];
        /** Per member, the level below it (null: no pointer goes deeper). */
        Level[] next = new Level[0];

        int size() {
            return names.length;
        }

        private int add(String name, int index) {
            for (int m = 0; m < names.length; m++) {
                if (names[m].equals(name)) {
                    return m;
                }
            }
            int m = names.length;
            // interned, as the parser's own names are: the lookup's first test is identity
            names = Arrays.copyOf(names, m + 1);
            names[m] = name.intern();
            hashes = Arrays.copyOf(hashes, m + 1);
            hashes[m] = name.hashCode();
            indices = Arrays.copyOf(indices, m + 1);
            indices[m] = index;
            ends = Arrays.copyOf(ends, m + 1);
            ends[m] = new int[0];
            next = Arrays.copyOf(next, m + 1);
            return m;
        }

        /** The member of this name, or -1. */
        int byName(String name) {
            String[] n = names;
            for (int m = 0; m < n.length; m++) {
                if (n[m] == name) {
                    return m;
                }
            }
            int hash = name.hashCode();
            for (int m = 0; m < n.length; m++) {
                if (hashes[m] == hash && n[m].equals(name)) {
                    return m;
                }
            }
            return -1;
        }

        /** The member matching this array index, or -1. */
        int byIndex(int index) {
            int[] i = indices;
            for (int m = 0; m < i.length; m++) {
                if (i[m] == index) {
                    return m;
                }
            }
            return -1;
        }
    }
}
