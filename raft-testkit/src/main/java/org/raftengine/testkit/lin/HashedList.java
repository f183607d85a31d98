package org.raftengine.testkit.lin;

import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable list of strings that knows the hash of each of its prefixes (by the recurrence of
 * {@link List#hashCode()}). A list read from a Raft log can hold thousands of entries and the search
 * compares it with many candidate states; with these hashes a mismatch costs O(1) instead of O(n).
 */
final class HashedList extends AbstractList<String> implements RandomAccess {
    private final String[] elements;
    /** {@code prefixHash[k]} is the hash of the first k elements. */
    private final int[] prefixHash;

    private HashedList(String[] elements) {
        this.elements = elements;
        this.prefixHash = new int[elements.length + 1];
        int h = 1;
        prefixHash[0] = h;
        for (int i = 0; i < elements.length; i++) {
            h = 31 * h + Objects.requireNonNull(elements[i], "element").hashCode();
            prefixHash[i + 1] = h;
        }
    }

    /** {@code values} itself if already one, else an immutable copy. */
    static HashedList of(List<String> values) {
        return values instanceof HashedList h ? h : new HashedList(values.toArray(new String[0]));
    }

    /** The hash of the first {@code length} elements, as {@link List#hashCode()} would compute it. */
    int prefixHash(int length) {
        return prefixHash[length];
    }

    @Override
    public String get(int index) {
        return elements[index];
    }

    @Override
    public int size() {
        return elements.length;
    }

    @Override
    public int hashCode() {
        return prefixHash[elements.length];
    }
}
