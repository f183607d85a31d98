package org.raftengine.jms.brokers;

import static org.awaitility.Awaitility.await;

import jakarta.jms.ConnectionFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * A standalone ActiveMQ Artemis broker in a process of its own: an instance created from the distribution
 * the build unpacks under {@code target/} ({@code artemis.home}), with login required (a random password),
 * no persistence, and one CORE acceptor on a free loopback port. It can be stopped (SIGTERM) and started
 * again on the same port, as an operator restarts a broker.
 */
public final class StandaloneArtemis {

    public static final String USER = "raft";

    private final Path home;
    private final Path instance;
    private final int port;
    private final String password = UUID.randomUUID().toString();
    private final Thread killOnExit;
    private Process process;

    private StandaloneArtemis(Path home, Path instance, int port) {
        this.home = home;
        this.instance = instance;
        this.port = port;
        this.killOnExit = new Thread(this::kill, "kill-standalone-artemis");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Creates a broker instance under {@code workDir/artemis-standalone} from the distribution at the system
     * property {@code artemis.home} (raft-jms-transport's build unpacks it under its {@code target/}), and
     * starts it.
     *
     * @throws BrokerUnavailableException if there is no distribution or the broker does not start
     */
    public static StandaloneArtemis createAndStart(Path workDir) throws InterruptedException {
        Path home = Path.of(System.getProperty("artemis.home", "target/artemis-dist/apache-artemis-2.40.0"));
        if (!Files.isExecutable(home.resolve("bin/artemis"))) {
            throw new BrokerUnavailableException("no Artemis distribution at " + home + " (raft-jms-transport's"
                    + " build unpacks it in generate-test-resources; give its path as -Dartemis.home)", null);
        }
        int port;
        try {
            port = freePort();
        } catch (IOException e) {
            throw new BrokerUnavailableException("no free loopback port for the standalone Artemis broker", e);
        }
        Path instance = workDir.resolve("artemis-standalone").resolve("instance-" + port).toAbsolutePath();
        StandaloneArtemis broker = new StandaloneArtemis(home, instance, port);
        try {
            broker.create();
            broker.start();
        } catch (Exception | AssertionError e) {
            broker.close();
            throw new BrokerUnavailableException("the standalone Artemis broker did not start (see " + instance
                    + "/broker.log)", e);
        }
        return broker;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void create() throws Exception {
        Files.createDirectories(instance.getParent());
        Process create = new ProcessBuilder(List.of(home.resolve("bin/artemis").toString(), "create",
                instance.toString(), "--silent", "--force", "--user", USER, "--password", password, "--require-login",
                "--host", "127.0.0.1", "--no-web", "--no-amqp-acceptor", "--no-mqtt-acceptor", "--no-stomp-acceptor",
                "--no-hornetq-acceptor", "--disable-persistence", "--no-autotune", "--java-memory", "512M"))
                .redirectErrorStream(true)
                .redirectOutput(instance.getParent().resolve("create-" + port + ".log").toFile())
                .start();
        if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
            create.destroyForcibly();
            throw new IllegalStateException("`artemis create` failed; see " + instance.getParent());
        }
        // One acceptor, CORE only, on our port (the created one lists every protocol on 61616).
        Path brokerXml = instance.resolve("etc/broker.xml");
        String xml = Files.readString(brokerXml);
        String patched = xml.replaceAll("<acceptor name=\"artemis\">[^<]*</acceptor>",
                "<acceptor name=\"artemis\">tcp://127.0.0.1:" + port + "?protocols=CORE</acceptor>");
        if (patched.equals(xml)) {
            throw new IllegalStateException("no acceptor named artemis in " + brokerXml);
        }
        Files.writeString(brokerXml, patched);
    }

    /** Starts the broker process and waits (bounded) until it accepts connections. */
    public void start() throws IOException {
        process = new ProcessBuilder(instance.resolve("bin/artemis").toString(), "run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(instance.resolve("broker.log").toFile()))
                .start();
        Process started = process;
        await("the standalone Artemis broker accepting on port " + port).atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .failFast("the broker process exited", () -> !started.isAlive())
                .until(this::accepts);
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the broker process (SIGTERM, as an operator would) and waits for it to exit. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    private void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    /** A connection factory that logs in with the broker's credentials. */
    public ConnectionFactory factory() {
        return new ActiveMQConnectionFactory(url(), USER, password);
    }

    /** A connection factory without credentials: give them with {@link JmsTransportConfig#withCredentials}. */
    public ConnectionFactory factoryWithoutCredentials() {
        return new ActiveMQConnectionFactory(url());
    }

    private String url() {
        return "tcp://127.0.0.1:" + port + "?retryInterval=100";
    }

    /** The loopback port of the broker's CORE acceptor. */
    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    /** Stops the broker; its instance stays under target/ for a look at its log. */
    public void close() throws InterruptedException {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs anyway
        }
    }
}
