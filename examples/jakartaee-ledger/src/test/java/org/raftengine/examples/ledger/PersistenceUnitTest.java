package org.raftengine.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.raftengine.jpa.JpaRaftLog;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The persistence unit lists every raft_ entity of raft-jpa-log and the ledger's own, and nothing else. */
class PersistenceUnitTest {

    @Test
    void theUnitListsTheRaftEntitiesAndTheLedgers() throws Exception {
        Document doc;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/persistence.xml")) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            doc = f.newDocumentBuilder().parse(in);
        }
        NodeList classes = doc.getElementsByTagNameNS("*", "class");
        List<String> listed = new ArrayList<>();
        for (int i = 0; i < classes.getLength(); i++) {
            listed.add(classes.item(i).getTextContent().strip());
        }
        List<String> expected = new ArrayList<>(JpaRaftLog.ENTITY_CLASSES.stream().map(Class::getName).toList());
        expected.add(Account.class.getName());
        expected.add(Movement.class.getName());
        assertThat(listed).containsExactlyInAnyOrderElementsOf(expected);
    }
}
