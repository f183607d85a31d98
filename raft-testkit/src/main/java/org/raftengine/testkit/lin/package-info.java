/**
 * A linearizability checker for client histories recorded against a replicated service.
 *
 * <p>A history is a list of {@link org.raftengine.testkit.lin.Operation}s, each an invocation and
 * (maybe) a response with their times. {@link org.raftengine.testkit.lin.LinearizabilityChecker}
 * decides whether some total order of the operations (a linearization) respects real time and is a
 * legal run of a sequential specification, the {@link org.raftengine.testkit.lin.Model}. Two models
 * come ready-made: {@link org.raftengine.testkit.lin.KeyValueModel} (a register per key with write,
 * read and compare-and-set) and {@link org.raftengine.testkit.lin.AppendListModel} (an append-only
 * list per key, the shape of a Raft log of commands).
 *
 * <p>The search is Wing &amp; Gong's, with Lowe's improvements: configurations (set of linearized
 * operations, model state) already shown to fail are remembered, operations are only linearized
 * within the window allowed by the earliest outstanding response, and the history is split by key
 * first, because a history over independent keys is linearizable if and only if every per-key
 * sub-history is (P-compositionality). On top of that, models may say which operations are read-only
 * and when an operation can never take effect any more ({@link org.raftengine.testkit.lin.Model}),
 * which prunes most wrong guesses at once. Indeterminate operations (outcome unknown) may take effect
 * at any time after their invocation or never.
 *
 * <p>Typical use, with a history recorded by a test:
 * <pre>{@code
 * CheckResult result = LinearizabilityChecker.check(history, new KeyValueModel());
 * if (result instanceof CheckResult.NotLinearizable bad) {
 *     fail(bad.explanation());
 * }
 * }</pre>
 */
package org.raftengine.testkit.lin;
