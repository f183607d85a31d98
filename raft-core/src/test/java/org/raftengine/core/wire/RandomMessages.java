package org.raftengine.core.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.raftengine.core.ClusterConfiguration;
import org.raftengine.core.ClusterSettings;
import org.raftengine.core.CommandResult;
import org.raftengine.core.Member;
import org.raftengine.core.message.AppendEntries;
import org.raftengine.core.message.AppendEntriesResponse;
import org.raftengine.core.message.ForwardCommand;
import org.raftengine.core.message.ForwardResponse;
import org.raftengine.core.message.InstallSnapshot;
import org.raftengine.core.message.InstallSnapshotResponse;
import org.raftengine.core.message.RaftMessage;
import org.raftengine.core.message.ReadIndexRequest;
import org.raftengine.core.message.ReadIndexResponse;
import org.raftengine.core.message.TimeoutNow;
import org.raftengine.core.message.VoteRequest;
import org.raftengine.core.message.VoteResponse;
import org.raftengine.core.spi.EntryType;
import org.raftengine.core.spi.LogEntry;

/**
 * Reproducible random messages, configurations and values: everything comes from one seed, so a
 * failing case is rebuilt from the seed printed with it.
 */
final class RandomMessages {

    static final int TYPE_COUNT = 11;

    private final SplittableRandom rnd;
    private final int maxEntries;
    private final int bigBytesPercentTenths;

    /** Messages of up to 50 entries, with an occasional large byte array. */
    RandomMessages(long seed) {
        this(seed, 50, 2);
    }

    /**
     * @param maxEntries            most entries in an AppendEntries
     * @param bigBytesPercentTenths chance, in tenths of a percent, that a byte array is large (16-128 KiB)
     */
    RandomMessages(long seed, int maxEntries, int bigBytesPercentTenths) {
        this.rnd = new SplittableRandom(seed);
        this.maxEntries = maxEntries;
        this.bigBytesPercentTenths = bigBytesPercentTenths;
    }

    SplittableRandom random() {
        return rnd;
    }

    RaftMessage any() {
        return ofType(rnd.nextInt(TYPE_COUNT));
    }

    /** A message of the given kind, 0 to 10 in the order of the wire type codes. */
    RaftMessage ofType(int type) {
        String from = id();
        String to = id();
        long storageId = anyLong();
        long term = anyLong();
        return switch (type) {
            case 0 -> new VoteRequest(from, to, storageId, term, anyLong(), anyLong(), rnd.nextBoolean(),
                    rnd.nextBoolean(), anyLong());
            case 1 -> new VoteResponse(from, to, storageId, term, rnd.nextBoolean(), rnd.nextBoolean());
            case 2 -> new AppendEntries(from, to, storageId, term, anyLong(), anyLong(), anyLong(), entries(),
                    round(), anyLong());
            case 3 -> new AppendEntriesResponse(from, to, storageId, term, rnd.nextBoolean(), anyLong(), anyLong(),
                    anyLong(), anyLong(), round());
            case 4 -> new ForwardCommand(from, to, storageId, term, anyLong(), bytes());
            case 5 -> new ForwardResponse(from, to, storageId, term, anyLong(), result());
            case 6 -> {
                byte[] data = bytes();
                long offset = rnd.nextLong(0, 1L << 40);
                yield new InstallSnapshot(from, to, storageId, term, rnd.nextLong(1, Long.MAX_VALUE),
                        rnd.nextLong(1, Long.MAX_VALUE), ClusterConfiguration.of(ClusterSettings.DEFAULTS, from, to + "x"),
                        offset + data.length + rnd.nextLong(0, 1000), rnd.nextInt(), offset, data);
            }
            case 7 -> new InstallSnapshotResponse(from, to, storageId, term, anyLong(), anyLong(), anyLong(), anyLong(),
                    rnd.nextBoolean());
            case 8 -> new TimeoutNow(from, to, storageId, term, anyLong());
            case 9 -> new ReadIndexRequest(from, to, storageId, term, anyLong());
            case 10 -> rnd.nextBoolean() ? new ReadIndexResponse(from, to, storageId, term, anyLong(), false, 0)
                    : new ReadIndexResponse(from, to, storageId, term, anyLong(), true, round());
            default -> throw new IllegalArgumentException("type " + type);
        };
    }

    /** A confirmation round or an index: never negative. */
    long round() {
        long v = anyLong();
        return v == Long.MIN_VALUE ? 0 : Math.abs(v);
    }

    List<LogEntry> entries() {
        int n = rnd.nextInt(maxEntries + 1);
        List<LogEntry> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(entry());
        }
        return list;
    }

    LogEntry entry() {
        EntryType[] types = EntryType.values();
        EntryType type = types[rnd.nextInt(types.length)];
        return LogEntry.of(anyLong(), anyLong(), type, rnd.nextInt(3) == 0 ? 0 : anyLong(), bytes());
    }

    CommandResult result() {
        return switch (rnd.nextInt(6)) {
            case 0 -> new CommandResult.Ok(anyLong(), bytes());
            case 1 -> new CommandResult.ApplicationError(anyLong(), nullableString());
            case 2 -> new CommandResult.Redirect(rnd.nextInt(3) == 0 ? null : id());
            case 3 -> new CommandResult.Retry(nullableString());
            case 4 -> new CommandResult.Refused(nullableString());
            default -> new CommandResult.Indeterminate(nullableString());
        };
    }

    /** Mostly small values, with the edges of the range and arbitrary values mixed in. */
    long anyLong() {
        return switch (rnd.nextInt(8)) {
            case 0 -> 0;
            case 1 -> Long.MAX_VALUE;
            case 2 -> Long.MIN_VALUE;
            case 3 -> -1;
            case 4, 5 -> rnd.nextLong();
            default -> rnd.nextLong(1, 1_000_000);
        };
    }

    /** Empty a quarter of the time, large now and then, otherwise up to 64 bytes. */
    byte[] bytes() {
        int roll = rnd.nextInt(1000);
        int len;
        if (roll < bigBytesPercentTenths) {
            len = rnd.nextInt(16 << 10, 128 << 10);
        } else if (roll < 250) {
            len = 0;
        } else {
            len = rnd.nextInt(1, 65);
        }
        byte[] b = new byte[len];
        rnd.nextBytes(b);
        return b;
    }

    /** A node id: never blank, sometimes non-ASCII. */
    String id() {
        String s = string(1 + rnd.nextInt(12));
        return s.isBlank() ? "n" + s : s;
    }

    String nullableString() {
        return rnd.nextInt(5) == 0 ? null : string(rnd.nextInt(5) == 0 ? rnd.nextInt(300) : rnd.nextInt(20));
    }

    /** {@code codePoints} well-formed code points from ASCII, Latin-1, the rest of the BMP and beyond. */
    String string(int codePoints) {
        StringBuilder sb = new StringBuilder();
        int flavour = rnd.nextInt(4);
        for (int i = 0; i < codePoints; i++) {
            int range = flavour == 0 ? 0 : rnd.nextInt(5);
            int cp = switch (range) {
                case 0, 1 -> rnd.nextInt(0x20, 0x7F);
                case 2 -> rnd.nextInt(0, 0x800);
                case 3 -> {
                    int c = rnd.nextInt(0x800, 0x10000 - 0x800);
                    yield c < 0xD800 ? c : c + 0x800;
                }
                default -> rnd.nextInt(0x10000, 0x110000);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    ClusterConfiguration configuration() {
        int n = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 40 : 7);
        List<Member> members = new ArrayList<>(n);
        java.util.Set<String> ids = new java.util.HashSet<>();
        while (members.size() < n) {
            String id = id();
            if (ids.add(id)) {
                members.add(new Member(id, rnd.nextBoolean() ? 0 : anyLong(), members.isEmpty() || rnd.nextInt(4) != 0));
            }
        }
        long heartbeat = rnd.nextLong(1, 10_000);
        long min = 3 * heartbeat + rnd.nextLong(0, 100_000);
        long max = min + rnd.nextLong(1, rnd.nextBoolean() ? 100_000 : Long.MAX_VALUE - min);
        boolean checkQuorum = rnd.nextBoolean();
        ClusterSettings settings = new ClusterSettings(heartbeat, min, max, positiveInt(), positiveLong(),
                positiveInt(), positiveLong(), positiveLong(), rnd.nextBoolean(), checkQuorum,
                max + rnd.nextLong(0, Long.MAX_VALUE - max + 1), checkQuorum && rnd.nextBoolean());
        return new ClusterConfiguration(members, settings, rnd.nextBoolean() ? 0 : anyLong());
    }

    private int positiveInt() {
        return rnd.nextBoolean() ? Integer.MAX_VALUE : rnd.nextInt(1, 100_000);
    }

    private long positiveLong() {
        return rnd.nextBoolean() ? Long.MAX_VALUE : rnd.nextLong(1, 1L << 40);
    }
}
