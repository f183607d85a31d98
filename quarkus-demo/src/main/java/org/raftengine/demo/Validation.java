package org.raftengine.demo;

import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What an assignment may hold: checked by the REST layer before anything is submitted (a 400 problem), and again
 * by the observer on every replica (a command that slipped past, say from another client of the log, is rejected
 * the same way everywhere).
 */
final class Validation {
    static final int MAX_OWNERS = 16;
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern SERVER = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    private Validation() {
    }

    /** Why the topic name is not acceptable, or null if it is. */
    static String topicProblem(String topic) {
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            return "a topic name is 1 to 200 characters of letters, digits, '.', '_' and '-'";
        }
        return null;
    }

    /** Why the owners are not acceptable, or null if they are. */
    static String ownersProblem(List<String> owners) {
        if (owners == null || owners.isEmpty()) {
            return "a topic needs at least one owner server";
        }
        if (owners.size() > MAX_OWNERS) {
            return "a topic has at most " + MAX_OWNERS + " owners, not " + owners.size();
        }
        for (String o : owners) {
            if (o == null || !SERVER.matcher(o).matches()) {
                return "an owner server id is 1 to 100 characters of letters, digits, '.', '_', ':' and '-': '"
                        + o + "' is not";
            }
        }
        if (new HashSet<>(owners).size() != owners.size()) {
            return "an owner server is named twice: " + owners;
        }
        return null;
    }

    /** Why the request id is not acceptable, or null if it is. */
    static String requestIdProblem(String requestId) {
        if (requestId == null || !REQUEST_ID.matcher(requestId).matches()) {
            return "a request id is 1 to 100 characters of letters, digits, '.', '_', ':' and '-'";
        }
        return null;
    }

    /** Why the node id is not acceptable, or null if it is. */
    static String nodeIdProblem(String id) {
        if (id == null || !SERVER.matcher(id).matches()) {
            return "a node id is 1 to 100 characters of letters, digits, '.', '_', ':' and '-': '" + id + "' is not";
        }
        return null;
    }

    /** The first problem of the command, or null. */
    static String commandProblem(AssignTopic c) {
        String p = topicProblem(c.topic());
        if (p == null) {
            p = ownersProblem(c.owners());
        }
        if (p == null) {
            p = requestIdProblem(c.requestId());
        }
        return p;
    }
}
