package org.raftengine.testkit.nemesis;

import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures the engine's ERROR log lines while a seed runs. The engine logs through System.Logger
 * (java.util.logging by default); its INFO/WARNING lines would flood a long sweep, and its ERROR lines
 * (an internal error that halts a node, a leader conflicting with a committed entry) are engine bugs,
 * so they fail the seed.
 *
 * <p>While at least one seed runs, the {@code org.raftengine} logger is set to SEVERE and does not
 * pass records on to the root handlers; the previous settings come back when the last run ends. A
 * simulated run executes on its caller's thread, so the lines are collected per thread and parallel
 * runs do not see each other's errors.
 */
final class EngineErrors {

    /** Kept referenced so the settings stick (java.util.logging holds loggers weakly). */
    private static final Logger ENGINE_LOG = Logger.getLogger("org.raftengine");
    private static final ThreadLocal<List<String>> CURRENT = new ThreadLocal<>();
    private static final Handler HANDLER = new Handler() {
        @Override
        public void publish(LogRecord r) {
            List<String> errors = CURRENT.get();
            if (errors == null || r.getLevel().intValue() < Level.SEVERE.intValue()) {
                return;
            }
            String msg = r.getMessage();
            if (r.getParameters() != null && msg != null) {
                msg = MessageFormat.format(msg, r.getParameters());
            }
            errors.add(msg + (r.getThrown() != null ? ": " + r.getThrown() + where(r.getThrown()) : ""));
        }

        /** The innermost frames of the engine's own code, so a seed's report shows where it broke. */
        private String where(Throwable t) {
            StringBuilder sb = new StringBuilder();
            int shown = 0;
            for (StackTraceElement f : t.getStackTrace()) {
                if (f.getClassName().startsWith("org.raftengine.") && shown++ < 4) {
                    sb.append(shown == 1 ? " at " : " < ").append(f.getClassName().replaceAll(".*\\.", ""))
                            .append('.').append(f.getMethodName()).append(':').append(f.getLineNumber());
                }
            }
            return sb.toString();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private static int active;
    private static Level savedLevel;
    private static boolean savedUseParentHandlers;

    private EngineErrors() {
    }

    /** Starts capturing for the current thread; returns the list the lines go to. Pair with {@link #end}. */
    static List<String> begin() {
        synchronized (EngineErrors.class) {
            if (active++ == 0) {
                savedLevel = ENGINE_LOG.getLevel();
                savedUseParentHandlers = ENGINE_LOG.getUseParentHandlers();
                ENGINE_LOG.setLevel(Level.SEVERE);
                ENGINE_LOG.setUseParentHandlers(false);
                ENGINE_LOG.addHandler(HANDLER);
            }
        }
        List<String> errors = new ArrayList<>();
        CURRENT.set(errors);
        return errors;
    }

    /** Stops capturing for the current thread. */
    static void end() {
        CURRENT.remove();
        synchronized (EngineErrors.class) {
            if (--active == 0) {
                ENGINE_LOG.removeHandler(HANDLER);
                ENGINE_LOG.setUseParentHandlers(savedUseParentHandlers);
                ENGINE_LOG.setLevel(savedLevel);
            }
        }
    }
}
