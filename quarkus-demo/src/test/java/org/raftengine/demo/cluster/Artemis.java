package org.raftengine.demo.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A standalone ActiveMQ Artemis broker in a process of its own, created from the distribution the build unpacks under
 * {@code quarkus-demo/target/artemis-dist} (Maven Central's {@code apache-artemis} bin archive): login required (a
 * random password), no persistence (Raft resends what a broker loses), one CORE acceptor on a free loopback port.
 */
public final class Artemis implements AutoCloseable {
    public static final String USER = "demo";

    private final Path instance;
    private final int port;
    private final String password = UUID.randomUUID().toString();
    private Process process;

    private Artemis(Path instance, int port) {
        this.instance = instance;
        this.port = port;
    }

    /** Where the distribution is: the system property {@code artemis.home}, else under this module's target/. */
    public static Path home() {
        String h = System.getProperty("artemis.home");
        return h != null ? Path.of(h) : Path.of("target/artemis-dist/apache-artemis-2.40.0");
    }

    /** Creates a broker instance under {@code dir} and starts it; fails if it does not accept within 120 s. */
    public static Artemis start(Path dir) throws IOException, InterruptedException {
        Path home = home();
        if (!Files.isExecutable(home.resolve("bin/artemis"))) {
            throw new IllegalStateException("no Artemis distribution at " + home.toAbsolutePath() + " (the build of"
                    + " quarkus-demo unpacks it; give its path as -Dartemis.home)");
        }
        Files.createDirectories(dir);
        Artemis a = new Artemis(dir.resolve("instance").toAbsolutePath(), Ports.free());
        a.create(home);
        a.run();
        return a;
    }

    private void create(Path home) throws IOException, InterruptedException {
        Process create = new ProcessBuilder(List.of(home.resolve("bin/artemis").toString(), "create",
                instance.toString(), "--silent", "--force", "--user", USER, "--password", password, "--require-login",
                "--host", "127.0.0.1", "--no-web", "--no-amqp-acceptor", "--no-mqtt-acceptor", "--no-stomp-acceptor",
                "--no-hornetq-acceptor", "--disable-persistence", "--no-autotune", "--java-memory", "512M"))
                .redirectErrorStream(true)
                .redirectOutput(instance.getParent().resolve("create.log").toFile())
                .start();
        if (!create.waitFor(120, TimeUnit.SECONDS) || create.exitValue() != 0) {
            create.destroyForcibly();
            throw new IllegalStateException("`artemis create` failed: see " + instance.getParent().resolve("create.log"));
        }
        Path brokerXml = instance.resolve("etc/broker.xml");
        String xml = Files.readString(brokerXml);
        String patched = xml.replaceAll("<acceptor name=\"artemis\">[^<]*</acceptor>",
                "<acceptor name=\"artemis\">tcp://127.0.0.1:" + port + "?protocols=CORE</acceptor>");
        if (patched.equals(xml)) {
            throw new IllegalStateException("no acceptor named artemis in " + brokerXml);
        }
        Files.writeString(brokerXml, patched);
    }

    private void run() throws IOException {
        process = new ProcessBuilder(instance.resolve("bin/artemis").toString(), "run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(instance.getParent().resolve("broker.log").toFile()))
                .start();
        Process p = process;
        Wait.until("the Artemis broker accepting on 127.0.0.1:" + port, Duration.ofSeconds(120), () -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("the broker exited: see " + instance.getParent().resolve("broker.log"));
            }
            return Ports.accepts(port);
        });
    }

    public String url() {
        return "tcp://127.0.0.1:" + port + "?retryInterval=100";
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** The broker process, to leave running (bin/demo --keep). */
    public Process process() {
        return process;
    }

    /** Stops the broker (SIGTERM; SIGKILL after 30 s). */
    @Override
    public void close() throws InterruptedException {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
