package org.raftengine.examples.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.jms.ConnectionFactory;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceUnit;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.eclipse.microprofile.config.Config;

/**
 * The server's resources as the CDI beans raft-cdi and the observers inject; nothing is created here, everything
 * is the server's.
 * <ul>
 *   <li>{@link EntityManagerFactory}: the persistence unit {@code ledger} (META-INF/persistence.xml: JTA, on the
 *       server's datasource, listing the raft_ entities and the ledger's); raft-cdi's log and apply transactions
 *       use it.</li>
 *   <li>{@link EntityManager}: the server's container-managed, transaction-scoped entity manager of that unit, for
 *       the observers: it joins the JTA transaction raft-cdi begins for each committed batch.</li>
 *   <li>The {@code TransactionManager} bean is the server's own: WildFly's Narayana integration makes it one (a
 *       producer here would make it ambiguous). raft-cdi begins and commits its transactions on it, on the node's
 *       own threads. On a server that has no such bean, produce it from JNDI as the connection factory below.</li>
 *   <li>{@link ConnectionFactory}: the server's plain (not pooled) connection factory to the broker the servers
 *       share (JNDI {@code ledger.connection-factory}; ledger.cli defines it). Not {@code java:/JmsXA}: a
 *       container-managed, pooled factory forbids the message listener the transport receives with.</li>
 * </ul>
 */
@ApplicationScoped
public class ServerResources {
    @Produces
    @PersistenceUnit(unitName = "ledger")
    EntityManagerFactory entityManagerFactory;

    @Produces
    @PersistenceContext(unitName = "ledger")
    EntityManager entityManager;

    @Inject
    Config config;

    @Produces
    @Singleton
    ConnectionFactory connectionFactory() {
        return lookup("ledger.connection-factory", "java:/jms/RaftConnectionFactory", ConnectionFactory.class);
    }

    private <T> T lookup(String property, String otherwise, Class<T> type) {
        String name = config.getOptionalValue(property, String.class).orElse(otherwise);
        try {
            return type.cast(InitialContext.doLookup(name));
        } catch (NamingException | ClassCastException e) {
            throw new IllegalStateException(property + ": no " + type.getName() + " at " + name + " (" + e + ")", e);
        }
    }
}
