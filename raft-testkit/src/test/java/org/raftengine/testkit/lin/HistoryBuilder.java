package org.raftengine.testkit.lin;

import java.util.ArrayList;
import java.util.List;

/** Terse construction of hand-made histories: each call adds one operation and returns it. */
final class HistoryBuilder {
    private final List<Operation> ops = new ArrayList<>();

    Operation add(String process, String key, Input input, Output output, long invoke, long response) {
        Operation op = new Operation(ops.size() + 1, process, key, input, output, invoke, response);
        ops.add(op);
        return op;
    }

    Operation write(String process, String key, String value, long invoke, long response) {
        return add(process, key, Input.write(value), Output.OK, invoke, response);
    }

    Operation read(String process, String key, String seen, long invoke, long response) {
        return add(process, key, Input.read(), Output.value(seen), invoke, response);
    }

    Operation cas(String process, String key, String expected, String update, boolean swapped, long invoke,
                  long response) {
        return add(process, key, Input.cas(expected, update), Output.cas(swapped), invoke, response);
    }

    Operation unknown(String process, String key, Input input, long invoke) {
        return add(process, key, input, Output.UNKNOWN, invoke, Long.MAX_VALUE);
    }

    Operation append(String process, String key, String value, int length, long invoke, long response) {
        return add(process, key, Input.append(value), Output.length(length), invoke, response);
    }

    Operation readList(String process, String key, List<String> seen, long invoke, long response) {
        return add(process, key, Input.read(), Output.values(seen), invoke, response);
    }

    List<Operation> build() {
        return List.copyOf(ops);
    }
}
