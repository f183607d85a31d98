package org.raftengine.examples.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.raftengine.cdi.RaftSnapshots;

/**
 * The ledger's snapshot, so the log can be compacted ({@code raft.snapshot.threshold-entries}) and a server that
 * fell behind further than the log reaches catches up from it: every account and every movement, through the
 * server's entity manager in the transaction raft-cdi begins. A restore reads the whole stream first, then empties
 * both tables and inserts what it read; raft-cdi records the snapshot's index as applied in the same transaction.
 * <pre>
 *   'LDG1', accounts: count, (id, balance)*; movements: count, (id, hasFrom, [from], to, amount, logIndex, reapplied)*
 * </pre>
 */
@ApplicationScoped
public class LedgerSnapshots implements RaftSnapshots {
    private static final int MAGIC = 0x4c444731;

    @Inject
    EntityManager em;

    @Override
    public void write(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out); // not closed: the stream is raft-cdi's
        data.writeInt(MAGIC);
        List<Account> accounts = em.createQuery("SELECT a FROM Account a ORDER BY a.id", Account.class)
                .getResultList();
        data.writeInt(accounts.size());
        for (Account a : accounts) {
            data.writeUTF(a.id);
            data.writeLong(a.balance);
        }
        List<Movement> movements = em.createQuery("SELECT m FROM Movement m ORDER BY m.id", Movement.class)
                .getResultList();
        data.writeInt(movements.size());
        for (Movement m : movements) {
            data.writeUTF(m.id);
            data.writeBoolean(m.from != null);
            if (m.from != null) {
                data.writeUTF(m.from);
            }
            data.writeUTF(m.to);
            data.writeLong(m.amount);
            data.writeLong(m.logIndex);
            data.writeInt(m.reapplied);
        }
        data.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a ledger snapshot");
        }
        List<Account> accounts = new ArrayList<>();
        for (int n = data.readInt(); n > 0; n--) {
            accounts.add(new Account(data.readUTF(), data.readLong()));
        }
        List<Movement> movements = new ArrayList<>();
        for (int n = data.readInt(); n > 0; n--) {
            String id = data.readUTF();
            String from = data.readBoolean() ? data.readUTF() : null;
            Movement m = new Movement(id, from, data.readUTF(), data.readLong(), data.readLong());
            m.reapplied = data.readInt();
            movements.add(m);
        }
        if (data.read() != -1) {
            throw new IOException("a ledger snapshot with bytes after its end");
        }
        em.createQuery("DELETE FROM Movement").executeUpdate();
        em.createQuery("DELETE FROM Account").executeUpdate();
        accounts.forEach(em::persist);
        movements.forEach(em::persist);
    }
}
