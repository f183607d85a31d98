package org.raftengine.cdi;

import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * Marks a class (a record, typically) as a typed command: {@link RaftClient#submit(Object)} encodes it with the
 * {@link CommandCodec}, and once committed it is fired as a {@code @Committed} event of its own type. Only
 * classes with this mark are ever decoded from the log, so a command cannot name an arbitrary class.
 */
@Documented
@Retention(RUNTIME)
@Target(TYPE)
public @interface RaftCommand {
}
