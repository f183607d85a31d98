package org.raftengine.demo.cluster;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One node of the demo as a process of its own: {@code java -jar quarkus-run.jar} with the node's settings as
 * system properties, its output appended to {@code <id>.log} in the run's directory. It can be killed (SIGKILL, as a
 * crash), stopped (SIGTERM) and started again on the same port and data.
 */
public final class NodeProcess {
    private final String id;
    private final int port;
    private final Path appJar;
    private final Path log;
    private final Map<String, String> properties;
    private final int heapMb;
    private Process process;

    NodeProcess(String id, int port, Path appJar, Path log, Map<String, String> properties, int heapMb) {
        this.id = id;
        this.port = port;
        this.appJar = appJar;
        this.log = log;
        this.properties = properties;
        this.heapMb = heapMb;
    }

    public String id() {
        return id;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** The process, to leave running (bin/demo --keep). */
    public synchronized Process process() {
        return process;
    }

    /** Starts the process (not waiting for it to serve: {@link #awaitUp}). */
    public synchronized void start() throws IOException {
        if (alive()) {
            throw new IllegalStateException(id + " is running already");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heapMb + "m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:+ExitOnOutOfMemoryError");
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(appJar.toString());
        Files.createDirectories(log.getParent());
        Files.writeString(log, "\n==== " + java.time.Instant.now() + " starting " + id + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Waits until the node answers {@code GET /cluster}; fails at once if the process exits. */
    public void awaitUp(Api api, Duration atMost) {
        Wait.until(id + " answering on " + url() + " (log: " + log + ")", atMost, () -> {
            if (!alive()) {
                throw new IllegalStateException(id + " exited (see " + log + ")");
            }
            return api.get(url(), "/cluster", Duration.ofSeconds(2)).ok();
        });
    }

    /** SIGKILL, as a crash: nothing is flushed, nothing is closed. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM (Quarkus stops the node cleanly), SIGKILL after 30 s. */
    public synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public String toString() {
        return id + "@" + url();
    }
}
