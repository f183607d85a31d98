package org.raftengine.core.engine;

import org.raftengine.core.spi.SnapshotMeta;

/**
 * What a leader knows of one follower. In {@code probe} the leader sends one AppendEntries at a time
 * until the follower's log matches; in {@code replicate} it pipelines up to {@code maxInflight}
 * AppendEntries, advancing {@code nextIndex} optimistically as it sends.
 */
final class FollowerProgress {
    final String id;
    long matchIndex;
    long nextIndex;
    boolean replicating;
    /** In probe: an AppendEntries is out and unanswered. */
    boolean probeSent;
    /** A read of older entries from storage is under way for this follower. */
    boolean readingStorage;
    /** Last index of each AppendEntries in flight, oldest first (a ring). */
    private final long[] inflight;
    private int inflightHead;
    private int inflightCount;
    long lastContactNanos;
    /** When the match index last grew (or the follower was added): how a catching-up learner is judged. */
    long lastProgressNanos;
    /** The highest confirmation round the follower has echoed in this term (see AppendEntries#round). */
    long ackedRound;
    /** matchIndex at the previous heartbeat tick, to detect a pipeline stalled by lost messages. */
    long matchAtLastTick;

    // ---- a snapshot transfer: the follower needs entries the leader no longer holds
    /** The snapshot being sent, or null when the follower is sent entries. */
    SnapshotMeta snapshot;
    /** The offset the follower expects next. */
    long snapshotOffset;
    /** A chunk is out and unanswered. */
    boolean chunkOut;
    /** A chunk is being read from storage. */
    boolean readingChunk;
    /** Answers to chunks so far, and at the previous tick: a chunk unanswered over a tick is sent again. */
    long chunkAnswers;
    long chunkAnswersAtLastTick;
    /** When the follower last took a chunk: a transfer that progresses holds off newer snapshots. */
    long lastChunkProgressNanos;

    FollowerProgress(String id, long nextIndex, int maxInflight) {
        this.id = id;
        this.nextIndex = nextIndex;
        this.inflight = new long[maxInflight];
        // Not heard from yet: CheckQuorum's first window needs a real answer too.
        this.lastContactNanos = Long.MIN_VALUE;
    }

    boolean inflightFull() {
        return inflightCount == inflight.length;
    }

    int inflightCount() {
        return inflightCount;
    }

    void addInflight(long lastIndex) {
        inflight[(inflightHead + inflightCount) % inflight.length] = lastIndex;
        inflightCount++;
    }

    /** Frees every AppendEntries acknowledged by {@code matchIndex}. */
    void freeInflightUpTo(long index) {
        while (inflightCount > 0 && inflight[inflightHead] <= index) {
            inflightHead = (inflightHead + 1) % inflight.length;
            inflightCount--;
        }
    }

    /** Back to one-at-a-time probing from {@code next}. */
    void becomeProbe(long next) {
        replicating = false;
        probeSent = false;
        inflightHead = 0;
        inflightCount = 0;
        nextIndex = Math.max(next, matchIndex + 1);
    }

    void becomeReplicate() {
        replicating = true;
        probeSent = false;
        nextIndex = Math.max(nextIndex, matchIndex + 1);
    }
}
