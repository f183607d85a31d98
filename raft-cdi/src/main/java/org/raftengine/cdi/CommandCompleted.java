package org.raftengine.cdi;

import org.raftengine.core.CommandResult;

/**
 * Fired (synchronously, on the node's callback thread) once a command submitted through {@link RaftClient}
 * has its outcome, for metrics ({@code raft-cdi-micrometer} counts them). Commands submitted to the
 * {@code RaftNode} or a {@code ClientSession} directly are not reported. Observers must be quick and must not
 * block: they delay the callbacks of other commands.
 *
 * @param nodeId the node the command was submitted to
 * @param result the outcome, or {@code null} if the submission failed with {@code failure}
 * @param failure the exception the submission completed with, or {@code null}
 */
public record CommandCompleted(String nodeId, CommandResult result, Throwable failure) {

    /** The outcome's name: {@code ok}, {@code application_error}, {@code redirect}, {@code retry},
     * {@code indeterminate}, {@code refused}, or {@code failed} (the submission completed exceptionally). */
    public String outcome() {
        if (result == null) {
            return "failed";
        }
        if (result instanceof CommandResult.Ok) {
            return "ok";
        } else if (result instanceof CommandResult.ApplicationError) {
            return "application_error";
        } else if (result instanceof CommandResult.Redirect) {
            return "redirect";
        } else if (result instanceof CommandResult.Retry) {
            return "retry";
        } else if (result instanceof CommandResult.Indeterminate) {
            return "indeterminate";
        }
        return "refused";
    }
}
