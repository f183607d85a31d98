package org.raftengine.testkit.nemesis;

import java.nio.file.Path;
import org.raftengine.testkit.sim.InvariantViolation;

/**
 * What one {@link Nemesis} seed did and found.
 *
 * @param seed                 the seed
 * @param options              the options it ran with (they and the seed replay it)
 * @param nodes                the cluster size
 * @param setup                the settings and faults drawn from the seed, for humans
 * @param violation            the first invariant broken, with the trace written out, or {@code null}
 * @param commandsSubmitted    client calls made
 * @param commandsAcknowledged calls answered Ok
 * @param commandsCommitted    commands that committed and were applied (the most any state machine
 *                             applied), acknowledged or not
 * @param elections            terms that had a leader
 * @param crashes              node crashes injected
 * @param partitions           partitions injected (of any shape)
 * @param virtualMillis        virtual time simulated
 * @param highestTerm          the highest term that had a leader
 * @param linearizability      the verdict on the client history
 * @param linearizabilityNote  details of that verdict (why it was skipped, the steps spent), never null
 * @param preVote              whether the cluster ran with PreVote
 * @param checkQuorum          whether the cluster ran with CheckQuorum
 * @param liveMillis           virtual time from the heal to the first command committed after it, or -1
 *                             if the seed did not get that far
 * @param snapshotsTaken       snapshots the nodes took of their own state machines
 * @param snapshotsInstalled   snapshots the nodes installed from a leader
 * @param duplicateSubmits     session commands submitted more than once (re-submitted under their sequence)
 *                             and answered Ok: applied once
 * @param steps                what the state machines' atomic steps did ({@link Steps#NONE} unless they apply
 *                             in batches)
 * @param transfersAsked       leadership transfers asked for (mix V6)
 * @param transfersDone        leadership transfers that ended with the target leading
 * @param linearizableReads    linearizable reads (ReadIndex) answered Ok
 * @param leaseReads           reads that leaders gave a read index on their lease
 * @param membershipAsked      membership changes asked for (add a voter or a learner, remove a member; mix V7)
 * @param membershipDone       membership changes answered Done
 * @param settingsAsked        settings changes asked for (PreVote on or off through the log; mix V7)
 * @param settingsDone         settings changes answered Done
 */
public record SeedResult(long seed, Nemesis.Options options, int nodes, String setup, InvariantViolation violation,
                         long commandsSubmitted, long commandsAcknowledged, long commandsCommitted, long elections,
                         long crashes, long partitions, long virtualMillis, long highestTerm,
                         Linearizability linearizability, String linearizabilityNote, boolean preVote,
                         boolean checkQuorum, long liveMillis, long snapshotsTaken, long snapshotsInstalled,
                         long duplicateSubmits, Steps steps, long transfersAsked, long transfersDone,
                         long linearizableReads, long leaseReads, long membershipAsked, long membershipDone,
                         long settingsAsked, long settingsDone) {

    /**
     * The atomic steps of state machines that apply in batches, summed over the nodes' state machines at the
     * end of the run (one replaced by a wipe or lost counts no more).
     *
     * @param committed steps committed
     * @param discarded steps aborted, failed at their commit, or lost in a crash
     * @param largest   the most entries one committed step held
     */
    public record Steps(long committed, long discarded, long largest) {
        /** No steps: the state machines apply entry by entry. */
        public static final Steps NONE = new Steps(0, 0, 0);
    }

    /** What became of the linearizability check of a seed. */
    public enum Linearizability {
        /** The history passed the checker. */
        LINEARIZABLE,
        /** The history has no linearization: the seed's violation is LINEARIZABLE. */
        NOT_LINEARIZABLE,
        /** Skipped: the checker ran out of its step budget (see the note). Not a violation. */
        SKIPPED_BUDGET,
        /** Not checked: turned off in the options, or the seed failed before the check. */
        NOT_CHECKED
    }

    /** True if no invariant was broken. */
    public boolean passed() {
        return violation == null;
    }

    /** Violations found: 0 or 1, since a run stops at its first. */
    public int violations() {
        return violation == null ? 0 : 1;
    }

    /** The name of the broken invariant, or {@code null}. */
    public String invariant() {
        return violation == null ? null : violation.invariant();
    }

    /** The first line of the violation's message, or {@code null}. */
    public String headline() {
        return violation == null ? null : String.valueOf(violation.getMessage()).lines().findFirst().orElse("");
    }

    /** The trace of the failing run as a table, or {@code null}. */
    public Path traceFile() {
        return violation == null ? null : violation.traceFile();
    }

    /** The trace of the failing run as a PlantUML sequence diagram, or {@code null}. */
    public Path diagramFile() {
        return violation == null ? null : violation.diagramFile();
    }

    /** The command line that replays this seed: {@code bin/simulate --from S --seeds 1} and its options. */
    public String replayCommand() {
        return "bin/simulate --from " + seed + " --seeds 1" + options.commandLineFlags();
    }

    @Override
    public String toString() {
        return "seed " + seed + " (" + setup + "): " + (violation == null ? "ok" : headline());
    }
}
