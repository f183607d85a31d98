package org.raftengine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files of a full run, from made-up summaries. */
class BenchReportTest {

    @TempDir
    Path dir;

    @Test
    void writesTheTableAndBothCharts() throws Exception {
        BenchOptions options = BenchOptions.parse("--out", dir.resolve("out").toString(), "--clients", "1,16,64",
                "--rounds", "1");
        List<Summary> summaries = new ArrayList<>();
        for (int c : List.of(1, 16, 64)) {
            summaries.add(summary("raftengine", c, 30_000L * c, 50_000L * c));
            summaries.add(summary("microraft", c, 20_000L * c, 60_000L * c));
            summaries.add(summary("jgroups-raft", c, 2_000L * c, 900_000L * c));
        }

        List<Path> written = BenchReport.write(summaries, options, options.out());

        assertThat(written).containsExactly(dir.resolve("out/results.md"), dir.resolve("out/throughput.png"),
                dir.resolve("out/latency.png"));
        String md = Files.readString(dir.resolve("out/results.md"));
        assertThat(md).contains("| system | C | throughput (ops/s) | p50 (ms) | p99 (ms) | max (ms) | alloc/op (B) |")
                .contains("| jgroups-raft | 64 | 128,000 | 0.025 | 57.600 | 115.200 | 100 | 15.00 |")
                .contains("| raftengine | 64 | 1,920,000 |")
                .contains("| C | raftengine/microraft | raftengine/jgroups-raft |")
                .contains("| 16 | 1.50 | 15.00 |");
        for (String png : List.of("throughput.png", "latency.png")) {
            BufferedImage image = ImageIO.read(dir.resolve("out").resolve(png).toFile());
            assertThat(image.getWidth()).isEqualTo(960);
            assertThat(image.getHeight()).isEqualTo(600);
        }
    }

    private static Summary summary(String system, int clients, long commitsPerSecond, long p99Nanos) {
        TrialResult r = new TrialResult(system, clients, 1, commitsPerSecond, 1.0, 25_000, p99Nanos, 2 * p99Nanos, 30_000,
                100, 1000, 1, 1, 0, 0, 0, 0, 0, 10, "");
        return Summary.of(List.of(r));
    }
}
