package org.raftengine.examples.ledger;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One WildFly server of the test, run from the unpacked distribution with a server base directory of its own (a
 * copy of a configured {@code standalone/}) and a port offset: {@code bin/standalone.sh -c standalone-full.xml}, as
 * an operator starts it. The launch script runs the server's JVM as its child; {@link #kill} sends that JVM SIGKILL.
 */
final class WildFlyServer {
    /** The ports of standalone-full.xml before the offset: http, https, management, ajp, transactions, iiop. */
    private static final int[] BASE_PORTS = {8080, 8443, 9990, 9993, 8009, 4712, 4713, 3528, 3529};

    final String node;
    private final Path home;
    private final Path baseDir;
    private final int offset;
    private final List<String> properties;
    private final Map<String, String> environment;
    private final Thread killOnExit;
    private Process launcher;

    WildFlyServer(String node, Path home, Path baseDir, int offset, List<String> properties,
                  Map<String, String> environment) {
        this.node = node;
        this.home = home;
        this.baseDir = baseDir;
        this.offset = offset;
        this.properties = List.copyOf(properties);
        this.environment = Map.copyOf(environment);
        this.killOnExit = new Thread(this::killQuietly, "kill-wildfly-" + node);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** A copy of {@code configured} (a configured {@code standalone/} directory) as the base directory at {@code dir}. */
    static Path copyBaseDir(Path configured, Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(configured)) {
            for (Path from : (Iterable<Path>) files::iterator) {
                Path to = dir.resolve(configured.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dir;
    }

    /** Port offsets, 100 apart, whose ports are all free now. */
    static List<Integer> freeOffsets(int count) {
        List<Integer> offsets = new ArrayList<>();
        for (int offset = 20000; offsets.size() < count && offset < 50000; offset += 100) {
            if (allFree(offset)) {
                offsets.add(offset);
            }
        }
        if (offsets.size() < count) {
            throw new IllegalStateException("no " + count + " free port offsets for WildFly");
        }
        return offsets;
    }

    private static boolean allFree(int offset) {
        for (int port : BASE_PORTS) {
            try (ServerSocket s = new ServerSocket(port + offset, 1, java.net.InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Where the ledger's REST API of this server is. */
    String api() {
        return "http://127.0.0.1:" + (8080 + offset) + "/jakartaee-ledger/api";
    }

    Path log() {
        return baseDir.resolve("log/server.log");
    }

    /** Starts the server (it deploys what its deployments/ directory holds); returns at once. */
    synchronized void start() throws IOException {
        List<String> command = new ArrayList<>(List.of("/bin/sh", home.resolve("bin/standalone.sh").toString(),
                "-c", "standalone-full.xml", "-b", "127.0.0.1", "-bmanagement", "127.0.0.1",
                "-Djboss.server.base.dir=" + baseDir, "-Djboss.socket.binding.port-offset=" + offset,
                "-Djboss.node.name=" + node));
        command.addAll(properties);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(baseDir.resolve("console.log").toFile()));
        pb.environment().putAll(environment);
        pb.environment().put("JBOSS_HOME", home.toString());
        pb.environment().remove("JAVA_OPTS"); // standalone.conf's defaults
        launcher = pb.start();
    }

    /** The server's JVM, the launch script's child. */
    private Optional<ProcessHandle> jvm() {
        Process p = launcher;
        if (p == null) {
            return Optional.empty();
        }
        return p.descendants().filter(h -> h.info().commandLine().orElse("").contains("jboss-modules.jar"))
                .findFirst();
    }

    boolean isRunning() {
        Process p = launcher;
        return p != null && p.isAlive();
    }

    /** SIGKILL to the server's JVM: no shutdown hooks, no clean close of anything. */
    synchronized void kill() throws InterruptedException {
        Process p = launcher;
        ProcessHandle jvm = await(node + "'s JVM").atMost(Duration.ofSeconds(30)).until(this::jvm, Optional::isPresent)
                .orElseThrow();
        jvm.destroyForcibly();
        await(node + "'s JVM gone after SIGKILL").atMost(Duration.ofSeconds(30)).until(() -> !jvm.isAlive());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        launcher = null;
    }

    /** Stops the server as an operator would (SIGTERM to its JVM: a graceful shutdown), and its launch script. */
    synchronized void stop() throws InterruptedException {
        Process p = launcher;
        if (p == null) {
            return;
        }
        Optional<ProcessHandle> jvm = jvm();
        jvm.ifPresent(ProcessHandle::destroy);
        if (jvm.isPresent()) {
            try {
                jvm.get().onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                jvm.get().destroyForcibly();
            }
        }
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        launcher = null;
    }

    /** Stops the server if it runs; never throws. */
    void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killQuietly();
        } catch (RuntimeException e) {
            killQuietly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    private void killQuietly() {
        Process p = launcher;
        if (p != null) {
            p.descendants().sorted(Comparator.comparing(ProcessHandle::pid).reversed())
                    .forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** The last lines of the server's log, for a failure's message. */
    String logTail(int lines) {
        try {
            List<String> all = Files.exists(log()) ? Files.readAllLines(log()) : List.of();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
