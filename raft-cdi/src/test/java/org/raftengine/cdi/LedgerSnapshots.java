package org.raftengine.cdi;

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

/**
 * The test ledger's {@link RaftSnapshots}: every account and every applied-transfer count, written as a plain
 * stream through the application's own entity manager, and read back by emptying both tables and inserting what
 * the stream holds.
 * <pre>
 *   magic 'LDG1', then accounts: count, then (id, balance) each; then transfers: count, then (id, times) each
 * </pre>
 */
@ApplicationScoped
public class LedgerSnapshots implements RaftSnapshots {
    private static final int MAGIC = 0x4c444731; // "LDG1"

    @Inject
    EntityManager em;

    @Override
    public void write(OutputStream out) throws IOException {
        // Not closed: the stream is the library's.
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        List<Account> accounts = em.createQuery("select a from TestAccount a order by a.id", Account.class)
                .getResultList();
        data.writeInt(accounts.size());
        for (Account a : accounts) {
            data.writeUTF(a.id);
            data.writeLong(a.balance);
        }
        List<AppliedTransfer> transfers = em.createQuery("select t from TestAppliedTransfer t order by t.id",
                AppliedTransfer.class).getResultList();
        data.writeInt(transfers.size());
        for (AppliedTransfer t : transfers) {
            data.writeUTF(t.id);
            data.writeInt(t.times);
        }
        data.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
        // All read before anything is deleted, and to the end: a short or overlong stream fails the restore (and
        // the library rolls it back) instead of leaving half a ledger.
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a ledger snapshot");
        }
        List<Account> accounts = new ArrayList<>();
        for (int n = data.readInt(); n > 0; n--) {
            accounts.add(new Account(data.readUTF(), data.readLong()));
        }
        List<AppliedTransfer> transfers = new ArrayList<>();
        for (int n = data.readInt(); n > 0; n--) {
            AppliedTransfer t = new AppliedTransfer(data.readUTF());
            t.times = data.readInt();
            transfers.add(t);
        }
        if (data.read() != -1) {
            throw new IOException("a ledger snapshot with bytes after its end");
        }
        em.createQuery("delete from TestAppliedTransfer").executeUpdate();
        em.createQuery("delete from TestAccount").executeUpdate();
        accounts.forEach(em::persist);
        transfers.forEach(em::persist);
    }
}
