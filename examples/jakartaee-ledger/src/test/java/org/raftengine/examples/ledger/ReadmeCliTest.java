package org.raftengine.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README's "In a Jakarta EE server" shows ledger.cli: every command of the script is there, as it is. */
class ReadmeCliTest {

    @Test
    void theReadmeShowsEveryCommandOfTheScript() throws Exception {
        String readme = Files.readString(Path.of("../../README.md"));
        List<String> commands = Files.readAllLines(Path.of("src/main/wildfly/ledger.cli")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(commands).hasSizeGreaterThan(5);
        assertThat(commands).allSatisfy(c -> assertThat(readme).as("README").contains(c));
    }
}
