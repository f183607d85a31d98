package org.raftengine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JmsOptionsTest {

    @Test
    void defaultsAndOverrides() {
        assertThat(JmsOptions.requested("--clients", "4", "--jms")).isTrue();
        assertThat(JmsOptions.requested("--quick")).isFalse();

        JmsOptions d = JmsOptions.parse("--jms");
        assertThat(d.media()).isEqualTo(JmsMedia.ALL);
        assertThat(d.clients()).containsExactly(1, 64);
        assertThat(d.measure()).isEqualTo(Duration.ofSeconds(5));

        JmsOptions o = JmsOptions.parse("--jms", "--media", "in-jvm,rabbitmq", "--clients=1,8", "--warmup-seconds",
                "0.5", "--measure-seconds", "3", "--rounds", "2", "--frame-bytes", "0", "--command-bytes", "32");
        assertThat(o).isEqualTo(new JmsOptions(List.of("in-jvm", "rabbitmq"), List.of(1, 8), Duration.ofMillis(500),
                Duration.ofSeconds(3), 2, 0, 32));
    }

    @Test
    void badOptionsAreRefused() {
        assertThatThrownBy(() -> JmsOptions.parse("--jms", "--media", "kafka")).hasMessageContaining("unknown medium");
        assertThatThrownBy(() -> JmsOptions.parse("--jms", "--minutes", "3"))
                .hasMessageContaining("unknown option --minutes");
        assertThatThrownBy(() -> JmsOptions.parse("--jms", "--clients", "0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> JmsOptions.parse("--jms", "--measure-seconds", "0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> JmsOptions.parse("--jms", "--help")).hasMessage("usage");
    }

    @Test
    void theTableHasOneRowPerMediumAndSaysWhichWereSkipped() {
        TrialResult r = new TrialResult("jms:in-jvm", 1, 1, 5_000, 5.0, 150_000, 400_000, 900_000, 160_000,
                100, 1_000, 0, 0, 0, 0, 0, 0, 0, 10, "");
        List<String> table = JmsRun.table(List.of(
                new JmsRun.Row("in-jvm", 279_370.4, 0, Map.of(1, Summary.of(List.of(r))), null),
                new JmsRun.Row("rabbitmq", 0, 0, Map.of(), "RabbitMQ is not accepting connections")), List.of(1));
        assertThat(table).containsExactly(
                "| medium | frames/s | commits/s, 1 client | p50 ms |",
                "|---|---:|---:|---:|",
                "| in-jvm | 279,370 | 1,000 | 0.15 |",
                "| rabbitmq | skipped: RabbitMQ is not accepting connections |");
    }
}
