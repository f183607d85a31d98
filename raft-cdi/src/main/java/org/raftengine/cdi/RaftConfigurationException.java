package org.raftengine.cdi;

import jakarta.enterprise.inject.spi.DeploymentException;

/** A wrong or missing {@code raft.*} setting, or a bean the settings need that is not there; fails deployment. */
public class RaftConfigurationException extends DeploymentException {
    private static final long serialVersionUID = 1L;

    private final String property;

    public RaftConfigurationException(String property, String message) {
        super(property + ": " + message);
        this.property = property;
    }

    public RaftConfigurationException(String property, String message, Throwable cause) {
        super(property + ": " + message, cause);
        this.property = property;
    }

    /** The property the problem is about. */
    public String property() {
        return property;
    }
}
