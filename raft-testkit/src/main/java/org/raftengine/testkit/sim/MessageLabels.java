package org.raftengine.testkit.sim;

import org.raftengine.core.CommandResult;
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

/** One-line summaries of messages for trace rows, e.g. {@code AppendEntries n1->n2 t3 prev=4/3 n=2 c=4}. */
public final class MessageLabels {
    private MessageLabels() {
    }

    /** A short summary naming the type, sender, target, term and the fields that matter for the type. */
    public static String describe(RaftMessage m) {
        String route = m.from() + "->" + m.to() + " t" + m.term();
        if (m instanceof AppendEntries a) {
            return "AppendEntries " + route + " prev=" + a.prevLogIndex() + "/" + a.prevLogTerm()
                    + " n=" + a.entries().size() + " c=" + a.leaderCommit() + " r=" + a.round();
        }
        if (m instanceof AppendEntriesResponse r) {
            return "AppendResp " + route + (r.success()
                    ? " ok m=" + r.matchIndex()
                    : " fail ct=" + r.conflictTerm() + " ci=" + r.conflictIndex() + " last=" + r.lastIndex())
                    + " r=" + r.round();
        }
        if (m instanceof VoteRequest v) {
            return (v.preVote() ? "PreVote " : "Vote ") + route + " last=" + v.lastLogIndex() + "/"
                    + v.lastLogTerm() + (v.transfer() ? " transfer" : "");
        }
        if (m instanceof VoteResponse v) {
            return (v.preVote() ? "PreVoteResp " : "VoteResp ") + route + (v.granted() ? " yes" : " no");
        }
        if (m instanceof ForwardCommand f) {
            return "Forward " + route + " req=" + f.requestId() + " " + f.command().length + "B";
        }
        if (m instanceof ForwardResponse f) {
            return "ForwardResp " + route + " req=" + f.requestId() + " " + describe(f.result());
        }
        if (m instanceof InstallSnapshot i) {
            return "Snapshot " + route + " " + i.index() + "/" + i.snapshotTerm() + " @" + i.offset() + "+"
                    + i.data().length + " of " + i.totalBytes();
        }
        if (m instanceof InstallSnapshotResponse r) {
            return "SnapshotResp " + route + " " + r.index() + "/" + r.snapshotTerm() + " @" + r.chunkOffset()
                    + (r.installed() ? " installed" : r.nextOffset() == InstallSnapshotResponse.CORRUPT ? " corrupt"
                    : " next=" + r.nextOffset());
        }
        if (m instanceof TimeoutNow t) {
            return "TimeoutNow " + route + " transfer=" + t.transferId();
        }
        if (m instanceof ReadIndexRequest q) {
            return "ReadIndex " + route + " req=" + q.requestId();
        }
        if (m instanceof ReadIndexResponse q) {
            return "ReadIndexResp " + route + " req=" + q.requestId() + (q.granted() ? " index=" + q.readIndex()
                    : " refused");
        }
        return m.getClass().getSimpleName() + " " + route;
    }

    /** A short form of a command outcome. */
    public static String describe(CommandResult r) {
        if (r == null) {
            return "pending";
        }
        if (r instanceof CommandResult.Ok ok) {
            return "Ok@" + ok.index();
        }
        if (r instanceof CommandResult.ApplicationError e) {
            return "AppError@" + e.index();
        }
        if (r instanceof CommandResult.Redirect d) {
            return "Redirect(" + d.leaderId() + ")";
        }
        if (r instanceof CommandResult.Retry t) {
            return "Retry(" + t.reason() + ")";
        }
        if (r instanceof CommandResult.Indeterminate i) {
            return "Indeterminate(" + i.reason() + ")";
        }
        return r.toString();
    }

    /** Bytes as text where printable, {@code \xNN} otherwise, cut after {@code max} bytes. */
    public static String printable(byte[] bytes, int max) {
        if (bytes == null) {
            return "(none)";
        }
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < Math.min(bytes.length, max); i++) {
            int b = bytes[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\'' && b != '\\') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        sb.append('\'');
        if (bytes.length > max) {
            sb.append("..(").append(bytes.length).append("B)");
        }
        return sb.toString();
    }
}
