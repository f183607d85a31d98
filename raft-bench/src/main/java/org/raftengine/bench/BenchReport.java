package org.raftengine.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The files a full run leaves behind: {@code results.md} (a Markdown table of the summaries, with the
 * ratio of raftengine's throughput to each other system's, and a table of the linearizable reads when systems
 * whose clients read ran), {@code throughput.png} and {@code latency.png} (throughput and p99 latency by client
 * count, one line per system), drawn headless with JFreeChart.
 */
final class BenchReport {

    static final String RESULTS = "results.md";
    static final String THROUGHPUT = "throughput.png";
    static final String LATENCY = "latency.png";

    private static final int WIDTH = 960;
    private static final int HEIGHT = 600;
    /** Distinct on white and in grey scale; raftengine (first) gets the strongest. */
    private static final Color[] PALETTE = {
        new Color(0xD6, 0x27, 0x28), new Color(0x1F, 0x77, 0xB4), new Color(0x2C, 0xA0, 0x2C),
        new Color(0xFF, 0x7F, 0x0E), new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B),
        new Color(0x17, 0xBE, 0xCF), new Color(0x7F, 0x7F, 0x7F)};

    private BenchReport() {
    }

    /** Writes the three files into {@code dir} (made if missing) and answers their paths. */
    static List<Path> write(List<Summary> summaries, BenchOptions options, Path dir) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path md = dir.resolve(RESULTS);
        Files.writeString(md, markdown(summaries, options), StandardCharsets.UTF_8);
        written.add(md);
        Path throughput = dir.resolve(THROUGHPUT);
        ChartUtils.saveChartAsPNG(throughput.toFile(), throughputChart(summaries, options), WIDTH, HEIGHT);
        written.add(throughput);
        Path latency = dir.resolve(LATENCY);
        ChartUtils.saveChartAsPNG(latency.toFile(), latencyChart(summaries, options), WIDTH, HEIGHT);
        written.add(latency);
        return written;
    }

    /** The results as Markdown: the setup, one row per system and client count, then the ratios by C. */
    static String markdown(List<Summary> summaries, BenchOptions options) {
        StringBuilder b = new StringBuilder();
        b.append("# raft-bench results\n\n");
        b.append(setup(options)).append(".\n\n");
        b.append("Medians over rounds (max: the maximum over rounds). `raftengine/this`: raftengine's median ")
                .append("throughput divided by this system's at the same C.\n\n");
        b.append("| system | C | throughput (ops/s) | p50 (ms) | p99 (ms) | max (ms) | alloc/op (B) | raftengine/this |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Summary s : summaries) {
            Summary base = find(summaries, "raftengine", s.clients());
            String ratio = s.system().equals("raftengine") || s.readWorkload() || base == null || s.throughput() <= 0
                    ? ""
                    : String.format(Locale.ROOT, "%.2f", base.throughput() / s.throughput());
            b.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.3f | %.3f | %.3f | %,.0f | %s |\n",
                    s.system(), s.clients(), s.throughput(), s.p50Nanos() / 1e6, s.p99Nanos() / 1e6,
                    s.maxNanos() / 1e6, s.allocPerCommit(), ratio));
        }
        List<String> peers = systems(summaries).stream()
                .filter(s -> !s.equals("raftengine") && !BenchSystems.isReads(s)).toList();
        if (!peers.isEmpty() && systems(summaries).contains("raftengine")) {
            b.append("\n## Throughput ratio raftengine/peer\n\n| C |");
            for (String p : peers) {
                b.append(" raftengine/").append(p).append(" |");
            }
            b.append("\n|---:|").append("---:|".repeat(peers.size())).append('\n');
            for (int c : clientCounts(summaries)) {
                Summary base = find(summaries, "raftengine", c);
                b.append("| ").append(c).append(" |");
                for (String p : peers) {
                    Summary other = find(summaries, p, c);
                    b.append(' ').append(base == null || other == null || other.throughput() <= 0 ? ""
                            : String.format(Locale.ROOT, "%.2f", base.throughput() / other.throughput())).append(" |");
                }
                b.append('\n');
            }
        }
        if (summaries.stream().anyMatch(Summary::readWorkload)) {
            reads(b, summaries);
        }
        return b.toString();
    }

    /**
     * The linearizable reads beside raftengine's writes at the same C: reads per second, latency (call to served),
     * allocation, CPU and GC per read, the share the leader served on its lease, and reads over writes.
     */
    private static void reads(StringBuilder b, List<Summary> summaries) {
        b.append("\n## Linearizable reads beside writes\n\n");
        b.append("`RaftNode.read` on the leader (its query reads the state machine's applied index), by ReadIndex ")
                .append("(`raftengine-read-index`: the default settings, lease reads off) and on the leader's lease ")
                .append("(`raftengine-lease-read`: `ClusterSettings.withLeaseReads(true)`, CheckQuorum on), beside ")
                .append("`raftengine`'s writes (`submit`, committed and applied) on the same cluster set-up. ")
                .append("Latency: call to served (or to applied). On the lease: the share of the windows' reads ")
                .append("whose read index the leader gave on its lease (`RaftNode.leaseReads()` over ")
                .append("`RaftNode.readsServed()`).\n\n");
        b.append("| system | C | ops/s | p50 (ms) | p99 (ms) | max (ms) | alloc/op (B) | cpu/op (us) | GC share "
                + "(longest pause ms) | on the lease | ops/s over writes |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Summary s : summaries) {
            if (!s.readWorkload() && !s.system().equals("raftengine")) {
                continue;
            }
            Summary writes = find(summaries, "raftengine", s.clients());
            String ratio = !s.readWorkload() || writes == null || writes.throughput() <= 0 ? ""
                    : String.format(Locale.ROOT, "%.2f", s.throughput() / writes.throughput());
            String lease = s.readWorkload() ? String.format(Locale.ROOT, "%.2f%%", Math.max(0, s.leaseFraction()) * 100)
                    : "";
            b.append(String.format(Locale.ROOT,
                    "| %s | %d | %,.0f | %.3f | %.3f | %.3f | %,.0f | %.2f | %.1f%% (%d) | %s | %s |\n",
                    s.system(), s.clients(), s.throughput(), s.p50Nanos() / 1e6, s.p99Nanos() / 1e6,
                    s.maxNanos() / 1e6, s.allocPerCommit(), s.cpuPerCommitNs() / 1e3, s.gcPercent(),
                    s.longestPauseMillis(), lease, ratio));
        }
    }

    static JFreeChart throughputChart(List<Summary> summaries, BenchOptions options) {
        DefaultCategoryDataset data = dataset(summaries, false);
        String what = anyReads(summaries) ? "commits or reads served per second (median over rounds)"
                : "commits per second (median over rounds)";
        JFreeChart chart = ChartFactory.createLineChart("Throughput by client count", "closed-loop clients (C)",
                what, data, PlotOrientation.VERTICAL, true, false, false);
        NumberAxis range = (NumberAxis) chart.getCategoryPlot().getRangeAxis();
        range.setAutoRangeIncludesZero(true);
        range.setNumberFormatOverride(new DecimalFormat("#,##0"));
        style(chart, options);
        return chart;
    }

    static JFreeChart latencyChart(List<Summary> summaries, BenchOptions options) {
        DefaultCategoryDataset data = dataset(summaries, true);
        String what = anyReads(summaries) ? "p99 latency, submit to commit or read to served, ms (log scale)"
                : "p99 submit-to-commit latency, ms (log scale)";
        JFreeChart chart = ChartFactory.createLineChart("p99 latency by client count", "closed-loop clients (C)",
                what, data, PlotOrientation.VERTICAL, true, false, false);
        LogAxis range = new LogAxis(what);
        range.setBase(10);
        range.setSmallestValue(1e-3);
        range.setNumberFormatOverride(new DecimalFormat("0.###"));
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Summary s : summaries) {
            double ms = s.p99Nanos() / 1e6;
            if (ms > 0) {
                min = Math.min(min, ms);
                max = Math.max(max, ms);
            }
        }
        if (max > 0) {
            // Whole decades around the data, so that the ticks fall on 0.01, 0.1, 1, 10, ...
            // (a hair wider, so that rounding keeps the end decades' ticks inside the range)
            range.setRange(Math.pow(10, Math.floor(Math.log10(min))) * 0.98,
                    Math.pow(10, Math.ceil(Math.log10(max * 1.01))) * 1.02);
        }
        // Labels on the decades only (the axis' unit is the exponent); light grid lines at 2..9 between them.
        range.setTickUnit(new NumberTickUnit(1, new DecimalFormat("0"), 9));
        range.setMinorTickMarksVisible(true);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setRangeAxis(range);
        style(chart, options);
        plot.setRangeMinorGridlinesVisible(true);
        plot.setRangeMinorGridlinePaint(new Color(0xE2, 0xE2, 0xE2));
        plot.setRangeMinorGridlineStroke(new BasicStroke(1f));
        return chart;
    }

    /** One row (series) per system, one column per client count. */
    private static DefaultCategoryDataset dataset(List<Summary> summaries, boolean latency) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        // Columns first, in run order, so that every series shares them whatever is missing.
        for (int c : clientCounts(summaries)) {
            for (String system : systems(summaries)) {
                Summary s = find(summaries, system, c);
                Double value = s == null ? null : latency ? (s.p99Nanos() > 0 ? s.p99Nanos() / 1e6 : null)
                        : Double.valueOf(s.throughput());
                data.addValue(value, system, Integer.toString(c));
            }
        }
        return data;
    }

    private static void style(JFreeChart chart, BenchOptions options) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        TextTitle subtitle = new TextTitle(setup(options), new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.addSubtitle(subtitle);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xC8, 0xC8, 0xC8));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setDomainGridlinesVisible(true);
        plot.setDomainGridlinePaint(new Color(0xE4, 0xE4, 0xE4));
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setOutlinePaint(new Color(0x90, 0x90, 0x90));
        CategoryAxis domain = plot.getDomainAxis();
        domain.setLowerMargin(0.04);
        domain.setUpperMargin(0.04);
        domain.setCategoryMargin(0.1);
        Font axisFont = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        domain.setLabelFont(axisFont);
        domain.setTickLabelFont(tickFont);
        plot.getRangeAxis().setLabelFont(axisFont);
        plot.getRangeAxis().setTickLabelFont(tickFont);
        LineAndShapeRenderer renderer = new LineAndShapeRenderer(true, true);
        for (int i = 0; i < plot.getDataset().getRowCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-4.5, -4.5, 9, 9));
        }
        plot.setRenderer(renderer);
        chart.getLegend().setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        chart.getLegend().setFrame(BlockBorder.NONE);
    }

    /** What the figures were measured on, in one line. */
    private static String setup(BenchOptions o) {
        String jvm = o.sameJvm() ? "every trial in one JVM"
                : "each trial in a JVM of its own with the same flags " + TrialProcess.jvmFlags(o);
        java.time.Duration warmup = o.sameJvm() ? o.warmup() : o.warmup().plus(o.jitWarmup());
        return String.format(Locale.ROOT,
                "3 nodes in one JVM, %s, %d-byte commands, %d round%s per point, %s measured after %s warm-up "
                        + "(java %s, %d cpus)",
                jvm, o.commandBytes(), o.rounds(), o.rounds() == 1 ? "" : "s", seconds(o.measure()),
                seconds(warmup), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    }

    private static String seconds(java.time.Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static boolean anyReads(List<Summary> summaries) {
        return summaries.stream().anyMatch(Summary::readWorkload);
    }

    private static List<String> systems(List<Summary> summaries) {
        return summaries.stream().map(Summary::system).distinct().toList();
    }

    private static List<Integer> clientCounts(List<Summary> summaries) {
        return summaries.stream().map(Summary::clients).distinct().toList();
    }

    private static Summary find(List<Summary> summaries, String system, int clients) {
        for (Summary s : summaries) {
            if (s.system().equals(system) && s.clients() == clients) {
                return s;
            }
        }
        return null;
    }
}
