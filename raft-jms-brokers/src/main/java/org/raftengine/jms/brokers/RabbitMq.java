package org.raftengine.jms.brokers;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.jms.admin.RMQConnectionFactory;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The real RabbitMQ on this machine (127.0.0.1:5672, guest/guest), through its JMS client. Tests that
 * need it call {@link #requireRunning()}, which throws {@link BrokerUnavailableException} when it is down
 * (tests skip then, except under {@code CI=true}, where a missing broker fails them).
 *
 * <p>A test may also restart this broker for real ({@link #stopApp}, {@link #startApp}: {@code rabbitmqctl
 * stop_app} and {@code start_app}, which close every client connection and drop what is not durable); it
 * calls {@link #requireRestartable()} first and {@link #ensureRunning()} in a {@code finally}, so the
 * machine's broker is running again whatever happened. Only one test class at a time may use RabbitMQ
 * (Surefire runs classes one after another by default), or a restart fails the others.
 */
public final class RabbitMq {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5672;

    private RabbitMq() {
    }

    /** Returns if RabbitMQ accepts connections; throws {@link BrokerUnavailableException} otherwise. */
    public static void requireRunning() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, PORT), 2_000);
        } catch (IOException e) {
            throw new BrokerUnavailableException("RabbitMQ is not accepting connections on " + HOST + ":" + PORT + " ("
                    + e.getMessage() + "); start it with `rabbitmq-server -detached`", e);
        }
    }

    /** How long a {@code rabbitmqctl} command may take (seen here: stop_app 1.2 s, start_app 2.4 s). */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    /** How long the broker may take to accept connections and run its application again. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    /**
     * Returns if RabbitMQ is running and its command line tools can control it; throws
     * {@link BrokerUnavailableException} otherwise.
     */
    public static void requireRestartable() {
        requireRunning();
        try {
            Result status = run("rabbitmq-diagnostics", "-q", "check_running");
            if (status.exit != 0) {
                throw new BrokerUnavailableException("`rabbitmq-diagnostics check_running` cannot control the local RabbitMQ"
                        + " (exit " + status.exit + "): " + status.output, null);
            }
        } catch (IOException e) {
            throw new BrokerUnavailableException("rabbitmqctl is not usable here (" + e.getMessage() + ")", e);
        }
    }

    /** Stops the RabbitMQ application ({@code rabbitmqctl stop_app}): every connection is closed. */
    public static void stopApp() throws IOException {
        Result r = run("rabbitmqctl", "stop_app");
        if (r.exit != 0) {
            throw new IOException("rabbitmqctl stop_app failed (exit " + r.exit + "): " + r.output);
        }
    }

    /** Starts the RabbitMQ application again and waits, bounded, until it runs and accepts connections. */
    public static void startApp() throws IOException {
        Result r = run("rabbitmqctl", "start_app");
        if (r.exit != 0) {
            throw new IOException("rabbitmqctl start_app failed (exit " + r.exit + "): " + r.output);
        }
        awaitRunning();
    }

    /**
     * Brings the machine's broker back whatever state a test left it in: starts the application if the
     * node runs without it, the whole server ({@code rabbitmq-server -detached}) if the node is down; then
     * waits, bounded, until the application runs and 127.0.0.1:5672 accepts connections.
     */
    public static void ensureRunning() throws IOException {
        if (isRunning()) {
            return;
        }
        Result start = run("rabbitmqctl", "start_app");
        if (start.exit != 0) {
            run("rabbitmq-server", "-detached"); // the node itself is down
        }
        awaitRunning();
    }

    private static boolean isRunning() throws IOException {
        return accepts() && run("rabbitmq-diagnostics", "-q", "check_running").exit == 0;
    }

    private static void awaitRunning() {
        await("RabbitMQ running and accepting on " + HOST + ":" + PORT).atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(200)).until(RabbitMq::isRunning);
    }

    private static boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, PORT), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private record Result(int exit, String output) {
    }

    /** Runs a RabbitMQ command line tool, bounded by {@link #COMMAND_TIMEOUT}. */
    private static Result run(String... command) throws IOException {
        Path output = Files.createTempFile("rabbitmq-tool", ".log");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            try {
                if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + String.join(" ", command), e);
            }
            return new Result(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8).strip());
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** A JMS connection factory for the broker at {@code port} on loopback (5672, or a proxy in front). */
    public static RMQConnectionFactory factory(int port) {
        RMQConnectionFactory factory = new RMQConnectionFactory();
        factory.setHost(HOST);
        factory.setPort(port);
        factory.setUsername("guest");
        factory.setPassword("guest");
        factory.setVirtualHost("/");
        factory.setChannelsQos(256);
        return factory;
    }

    /** Deletes the queues a test declared, so the shared broker does not collect them. */
    public static void deleteQueues(Collection<String> queues) throws IOException, TimeoutException {
        if (queues.isEmpty()) {
            return;
        }
        com.rabbitmq.client.ConnectionFactory amqp = new com.rabbitmq.client.ConnectionFactory();
        amqp.setHost(HOST);
        amqp.setPort(PORT);
        amqp.setUsername("guest");
        amqp.setPassword("guest");
        try (Connection connection = amqp.newConnection("raftengine-test-cleanup");
             Channel channel = connection.createChannel()) {
            for (String queue : queues) {
                channel.queueDelete(queue);
            }
        }
    }
}
