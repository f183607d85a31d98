package org.raftengine.cdi;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * Qualifies the events fired for committed commands, inside the JTA transaction that records them as applied:
 * {@code void on(@Observes @Committed CommittedCommand c)} for the raw bytes, or
 * {@code void on(@Observes @Committed TopicAssigned e)} for a typed command (see {@link RaftCommand}).
 * Observers must be synchronous (never {@code @ObservesAsync}); they run on every replica, and again after a
 * crash that came before the transaction's commit, so they must be deterministic and change nothing outside
 * the transaction. Also qualifies the {@link CommittedCommand} an observer of a typed command may take as a
 * parameter, to set the result.
 */
@Qualifier
@Documented
@Retention(RUNTIME)
@Target({PARAMETER, FIELD, METHOD, TYPE})
public @interface Committed {

    /** The annotation as a value, for {@code Event.select}. */
    final class Literal extends AnnotationLiteral<Committed> implements Committed {
        private static final long serialVersionUID = 1L;
        /** The one instance. */
        public static final Literal INSTANCE = new Literal();

        private Literal() {
        }
    }
}
