package org.raftengine.cdi;

/** A typed command of the test application: move money; refused when the source lacks it. */
@RaftCommand
public record Transfer(String from, String to, long amount) {
}
