package org.raftengine.cdi;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.arjuna.ats.jta.cdi.TransactionExtension;
import io.smallrye.config.inject.ConfigExtension;
import org.jboss.weld.environment.se.Weld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A setting that needs a bean the application does not have fails the deployment, naming the setting. */
class MissingBeansTest {

    @AfterEach
    void clear() {
        for (String p : new String[] {"raft.node-id", "raft.members", "raft.log", "raft.transport"}) {
            System.clearProperty(p);
        }
    }

    private static Weld weld() {
        return new Weld().disableDiscovery().addBeanClasses(RaftNodeProducer.class, RaftClient.class,
                CurrentCommand.class).addExtensions(new ConfigExtension(), new TransactionExtension());
    }

    @Test
    void theJpaLogWithoutAPersistenceUnitFailsNamingRaftLog() {
        System.setProperty("raft.node-id", "n1");
        System.setProperty("raft.members", "n1");
        System.setProperty("raft.transport", "local");

        assertThatThrownBy(() -> weld().initialize().close())
                .hasStackTraceContaining("raft.log: raft.log=jpa needs the application's EntityManagerFactory as a bean");
    }

    @Test
    void theJmsTransportWithoutAConnectionFactoryFailsNamingRaftTransport() {
        System.setProperty("raft.node-id", "n1");
        System.setProperty("raft.members", "n1");
        System.setProperty("raft.log", "memory");

        assertThatThrownBy(() -> weld().initialize().close())
                .hasStackTraceContaining("raft.transport: raft.transport=jms needs a jakarta.jms.ConnectionFactory bean");
    }

    @Test
    void aWrongSettingFailsTheDeployment() {
        System.setProperty("raft.node-id", "n9");
        System.setProperty("raft.members", "n1");

        assertThatThrownBy(() -> weld().initialize().close())
                .hasStackTraceContaining("raft.node-id: 'n9' is not among raft.members");
    }

    /** Two codecs: which one decodes the log would be a matter of chance. */
    public static class FirstCodec implements CommandCodec {
        @Override
        public byte[] encode(Object command) {
            return new byte[0];
        }

        @Override
        public Object decode(byte[] data) {
            return null;
        }
    }

    /** The second codec. */
    public static class SecondCodec extends FirstCodec {
    }

    @Test
    void twoCommandCodecsFailTheDeployment() {
        System.setProperty("raft.node-id", "n1");
        System.setProperty("raft.members", "n1");
        System.setProperty("raft.log", "memory");
        System.setProperty("raft.transport", "local");

        assertThatThrownBy(() -> weld().addBeanClasses(FirstCodec.class, SecondCodec.class).initialize().close())
                .hasStackTraceContaining("CommandCodec: there are several CommandCodec beans");
    }
}
