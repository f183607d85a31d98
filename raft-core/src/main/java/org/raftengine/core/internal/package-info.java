/**
 * <strong>Not API.</strong> The engine's internal door for raftengine's own test kit: what is here may
 * change or go without notice, and no application should use it. Today it holds the switches that make
 * a node break Raft rules on purpose ({@link org.raftengine.core.internal.RuleBreach}), so the
 * simulator's checkers can be shown to catch a broken engine, and the one way to build such a node
 * ({@link org.raftengine.core.internal.RuleBreakingNodes}).
 */
package org.raftengine.core.internal;
