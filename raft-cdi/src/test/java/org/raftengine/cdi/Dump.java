package org.raftengine.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;

/**
 * A node's ledger as {@link LedgerNodeMain} dumps it: the applied index recorded with it, each account's balance,
 * and how many times each tracked transfer was applied.
 */
record Dump(long applied, Map<String, Long> balances, Map<String, Long> transfers) {

    /** Reads the answer to {@code LEDGER}. */
    static Dump parse(String answer) {
        String[] w = answer.split(" ");
        assertThat(w).as("a ledger dump: %s", answer).hasSize(4);
        assertThat(w[0]).isEqualTo("LEDGER");
        return new Dump(Long.parseLong(w[1]), pairs(w[2]), pairs(w[3]));
    }

    private static Map<String, Long> pairs(String text) {
        Map<String, Long> m = new TreeMap<>();
        if (!text.equals("-")) {
            for (String pair : text.split(",")) {
                int colon = pair.lastIndexOf(':');
                m.put(pair.substring(0, colon), Long.parseLong(pair.substring(colon + 1)));
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return "Dump[applied " + applied + ", " + balances + ", " + transfers.size() + " tracked transfers]";
    }
}
