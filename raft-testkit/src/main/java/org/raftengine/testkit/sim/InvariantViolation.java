package org.raftengine.testkit.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A simulated run broke a safety property (or an event threw). The message names the invariant, the
 * seed that replays the run, and the last steps of the trace as a table; the whole retained trace is
 * written to {@code target/sim-failures/seed-<seed>.txt} (a table) and {@code seed-<seed>.puml} (a
 * PlantUML sequence diagram).
 */
public final class InvariantViolation extends AssertionError {

    /** Rows of the trace shown in the message. */
    public static final int TAIL_ROWS = 60;

    private static final Path FAILURE_DIR = Path.of("target", "sim-failures");

    private final String invariant;
    private final long seed;
    private final transient Path traceFile;
    private final transient Path diagramFile;

    private InvariantViolation(String message, String invariant, long seed, Path traceFile, Path diagramFile,
                               Throwable cause) {
        super(message, cause);
        this.invariant = invariant;
        this.seed = seed;
        this.traceFile = traceFile;
        this.diagramFile = diagramFile;
    }

    /** A violation of {@code invariant} in {@code sim}'s run, with the trace written out. */
    public static InvariantViolation of(Simulation sim, String invariant, String detail) {
        return of(sim, invariant, detail, null);
    }

    /** As {@link #of(Simulation, String, String)}, caused by {@code cause}. */
    public static InvariantViolation of(Simulation sim, String invariant, String detail, Throwable cause) {
        String headline = invariant + " violated at " + TraceRow.formatMillis(sim.now()) + " ms (step "
                + sim.stepCount() + "), seed " + sim.seed() + ": " + detail;
        List<TraceRow> all = sim.trace();
        Path file = FAILURE_DIR.resolve("seed-" + sim.seed() + ".txt");
        Path diagram = FAILURE_DIR.resolve("seed-" + sim.seed() + ".puml");
        String written;
        try {
            Files.createDirectories(FAILURE_DIR);
            Files.writeString(file, headline + "\n\nFull retained trace (" + all.size() + " rows):\n"
                    + TraceTable.render(all));
            Files.writeString(diagram, "' " + headline.replace("\n", " ") + "\n" + PlantUmlTrace.render(all));
            written = "full trace in " + file.toAbsolutePath() + " and as a sequence diagram in "
                    + diagram.toAbsolutePath();
        } catch (IOException | RuntimeException e) {
            file = null;
            diagram = null;
            written = "could not write the trace file: " + e;
        }
        List<TraceRow> tail = all.subList(Math.max(0, all.size() - TAIL_ROWS), all.size());
        String message = headline + "\nReplay with seed " + sim.seed() + "; " + written + "\nLast "
                + tail.size() + " steps:\n" + TraceTable.render(tail);
        return new InvariantViolation(message, invariant, sim.seed(), file, diagram, cause);
    }

    /** The name of the broken invariant, e.g. {@code ONE-LEADER}. */
    public String invariant() {
        return invariant;
    }

    /** The seed that replays the run. */
    public long seed() {
        return seed;
    }

    /** Where the full trace was written as a table, or {@code null} if it could not be. */
    public Path traceFile() {
        return traceFile;
    }

    /** Where the full trace was written as a PlantUML sequence diagram, or {@code null} if it could not be. */
    public Path diagramFile() {
        return diagramFile;
    }
}
