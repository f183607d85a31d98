package org.raftengine.jpa;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.HardState;
import org.raftengine.core.spi.LogEntry;

/**
 * The child JVM of {@link JpaRaftLogCrashTest}: opens one node's {@link JpaRaftLog} and writes to it as fast as
 * it can until it is killed, telling the parent on stdout what it is about to write ({@code BEGIN}) and what the
 * log acknowledged ({@code ACK}: the call returned, so it must survive the kill).
 *
 * <p>Entries carry a payload that is a function of (seed, index, term) only, so the parent can check every entry
 * it reads back without being told the bytes. A suffix replacement always comes with a new term (as after an
 * election), so a replaced entry and its replacement differ. Lines end with {@code " ."}: a line cut short by
 * the kill is recognisable as such.
 *
 * <p>Arguments: JDBC URL, user, node id, payload seed, seed of this run's choices.
 */
final class CrashChild {
    static final String END = " .";
    /** Replacements start at most this far back from the end of the log. */
    static final int MAX_REWIND = 300;

    private CrashChild() {
    }

    /** The payload of entry {@code index} of {@code term}: random bytes (0 to 511 of them), fixed by the three. */
    static byte[] payload(long seed, long index, long term) {
        SplittableRandom r = new SplittableRandom(seed ^ index * 0x9E3779B97F4A7C15L ^ term * 0xC2B2AE3D27D4EB4FL);
        byte[] data = new byte[r.nextInt(512)];
        r.nextBytes(data);
        return data;
    }

    /** The entry the child writes at {@code index} in {@code term}. */
    static LogEntry entry(long seed, long index, long term) {
        return LogEntry.of(index, term, EntryType.COMMAND, index * 31 + term, payload(seed, index, term));
    }

    static String voteText(String votedFor) {
        return votedFor == null ? "-" : votedFor;
    }

    static String voteOf(String text) {
        return text.equals("-") ? null : text;
    }

    public static void main(String[] args) {
        // Protocol lines go out in one write each (a pipe write under 4 KiB is atomic); library logging goes to
        // stderr, which the parent sends to a file.
        PrintStream protocol = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
                4096), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        exitWhenOrphaned();

        String url = args[0];
        String user = args[1];
        String nodeId = args[2];
        long seed = Long.parseLong(args[3]);
        SplittableRandom choices = new SplittableRandom(Long.parseLong(args[4]));

        JpaTestUnit unit = JpaTestUnit.open(url, user, pool -> pool);
        JpaRaftLog log = unit.log(nodeId);
        HardState hard = log.hardState();
        long first = log.firstIndex();
        long last = log.lastIndex();
        long lastTerm = log.termAt(last);
        say(protocol, "OPEN " + first + " " + last + " " + lastTerm + " " + hard.term() + " "
                + voteText(hard.votedFor()));

        String[] votes = {"n1", null, "n2"};
        int vote = 0;
        long term = Math.max(hard.term(), lastTerm);
        // A restarted node's first act here is what a new leader may ask of it: a new term, and a batch that
        // replaces the end of what survived the kill.
        boolean newTermFirst = true;
        boolean replaceNext = last >= 1;
        while (true) {
            if (newTermFirst || choices.nextInt(8) == 0) {
                term++;
                String votedFor = votes[vote++ % votes.length];
                String text = term + " " + voteText(votedFor);
                say(protocol, "BEGIN hard " + text);
                log.saveHardState(new HardState(term, votedFor));
                say(protocol, "ACK hard " + text);
                replaceNext = replaceNext && newTermFirst || choices.nextInt(2) == 0;
                newTermFirst = false;
                continue;
            }
            last = log.lastIndex();
            long start = last + 1;
            if (replaceNext && last >= 1) {
                start = Math.max(1, last - choices.nextInt((int) Math.min(last, MAX_REWIND)));
            }
            replaceNext = false;
            int size = 1 + choices.nextInt(256);
            List<LogEntry> batch = new ArrayList<>(size);
            for (long i = start; i < start + size; i++) {
                batch.add(entry(seed, i, term));
            }
            String text = start + " " + (start + size - 1) + " " + term;
            say(protocol, "BEGIN append " + text);
            log.append(batch);
            say(protocol, "ACK append " + text);
        }
    }

    private static void say(PrintStream out, String line) {
        out.print(line + END + "\n");
        out.flush();
        if (out.checkError()) {
            Runtime.getRuntime().halt(2); // the parent is gone
        }
    }

    /** Ends this JVM if the parent goes away without killing it (its end of stdin closes). */
    private static void exitWhenOrphaned() {
        Thread watch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent; only the end matters
                }
            } catch (IOException ignored) {
                // as the end
            }
            Runtime.getRuntime().halt(3);
        }, "orphan-watch");
        watch.setDaemon(true);
        watch.start();
    }
}
