/**
 * Randomized fault sweeps of the real engine on the simulator.
 *
 * <p>{@link org.raftengine.testkit.nemesis.Nemesis} turns a seed into a cluster, a fault schedule and
 * a client workload, runs it, heals everything and checks safety, liveness and linearizability,
 * returning a {@link org.raftengine.testkit.nemesis.SeedResult}.
 * {@link org.raftengine.testkit.nemesis.SimulateMain} (the {@code bin/simulate} command) runs a range
 * of seeds; {@link org.raftengine.testkit.nemesis.LogLinearizability} adapts a simulated client history
 * to the linearizability checker.
 */
package org.raftengine.testkit.nemesis;
