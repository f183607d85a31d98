package org.raftengine.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link LedgerNodeMain} child JVM, from the parent test's side: its requests and answers, its events, and its
 * end. Each run of a node writes its stderr (the libraries' logs) to a file of its own, whose tail a failure shows.
 */
final class LedgerNodeProcess implements AutoCloseable {
    /** The exit status of a process killed by signal 9. */
    static final int SIGKILL_EXIT = 128 + 9;
    private static final String END = "\u0000end";

    /** A request that got no answer: the node ended, or did not answer in time. It may have been carried out. */
    static final class NoAnswer extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoAnswer(String message, Throwable cause) {
            super(message, cause);
        }
    }

    final String nodeId;
    private final Process process;
    private final Path stderr;
    private final Writer stdin;
    private final Map<Long, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean ready;
    private volatile boolean ended;

    private LedgerNodeProcess(String nodeId, Process process, Path stderr) {
        this.nodeId = nodeId;
        this.process = process;
        this.stderr = stderr;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::read, "ledger-node-" + nodeId + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a node with the given system properties; its Narayana object store and stderr go under {@code dir}.
     * {@code run} numbers the node's runs, for the names of their log files.
     */
    static LedgerNodeProcess start(Path dir, String nodeId, int run, Map<String, String> properties)
            throws IOException {
        Files.createDirectories(dir);
        Path store = dir.resolve("narayana-" + nodeId).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // JVMs that start fast and stay small: most of a run is booting Weld and Hibernate.
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "-DObjectStoreEnvironmentBean.objectStoreDir=" + store,
                "-DObjectStoreEnvironmentBean.communicationStore.objectStoreDir=" + store,
                "-DCoordinatorEnvironmentBean.transactionStatusManagerEnable=false",
                "-DCoreEnvironmentBean.nodeIdentifier=" + nodeId));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LedgerNodeMain.class.getName()));
        Path stderr = dir.resolve(nodeId + "-run" + run + ".log");
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        return new LedgerNodeProcess(nodeId, process, stderr);
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("@")) {
                    continue;
                }
                int space = line.indexOf(' ');
                String head = line.substring(1, space < 0 ? line.length() : space);
                if (!head.isEmpty() && head.chars().allMatch(Character::isDigit)) {
                    CompletableFuture<String> answer = pending.remove(Long.parseLong(head));
                    if (answer != null) {
                        answer.complete(space < 0 ? "" : line.substring(space + 1));
                    }
                } else {
                    if (head.equals("READY")) {
                        ready = true;
                    }
                    events.add(line.substring(1));
                }
            }
        } catch (IOException ignored) {
            // the node is gone: as the end of its output
        } finally {
            ended = true;
            events.add(END);
            pending.values().forEach(f -> f.completeExceptionally(new IOException("node " + nodeId + " ended")));
        }
    }

    /** The node said READY and has not ended: requests sent now are served. */
    boolean serving() {
        return ready && !ended;
    }

    /** Sends a request; the future completes with the answer, or fails once the node ended without one. */
    CompletableFuture<String> send(String request) {
        long id = ids.incrementAndGet();
        CompletableFuture<String> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            synchronized (stdin) {
                stdin.write(id + " " + request + "\n");
                stdin.flush();
            }
        } catch (IOException e) {
            answer.completeExceptionally(e);
        }
        if (ended) {
            // The reader's last sweep may have run before this request was in the map.
            answer.completeExceptionally(new IOException("node " + nodeId + " ended"));
        }
        answer.whenComplete((a, e) -> pending.remove(id));
        return answer;
    }

    /**
     * Sends a request and waits for its answer.
     *
     * @throws NoAnswer if the node ends first, or does not answer within {@code limit}
     */
    String call(String request, Duration limit) {
        CompletableFuture<String> answer = send(request);
        try {
            return answer.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new NoAnswer("node " + nodeId + " ended without answering " + request, e.getCause());
        } catch (TimeoutException e) {
            answer.cancel(false);
            throw new NoAnswer("node " + nodeId + " did not answer " + request + " within " + limit, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoAnswer("interrupted waiting for node " + nodeId, e);
        }
    }

    /** Waits for the next event starting with {@code word}, skipping others; fails if the node ends first. */
    String awaitEvent(String word, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null) {
                fail("node " + nodeId + " said no " + word + " within " + limit + "; its log ends:\n" + logTail());
            }
            if (event.equals(END)) {
                events.add(END);
                fail("node " + nodeId + " ended before saying " + word + " (exit status "
                        + exitStatus() + "); its log ends:\n" + logTail());
            }
            if (event.equals(word) || event.startsWith(word + " ")) {
                return event;
            }
        }
    }

    /** SIGKILLs the node, and checks that it died of it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("node %s died within 10 s of SIGKILL", nodeId).isTrue();
        assertThat(process.exitValue()).as("exit status of node %s, killed by signal 9", nodeId)
                .isEqualTo(SIGKILL_EXIT);
    }

    private String exitStatus() throws InterruptedException {
        return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
    }

    /** The last lines of this run's stderr. */
    String logTail() {
        try {
            List<String> all = Files.readAllLines(stderr);
            return String.join("\n", all.subList(Math.max(0, all.size() - 60), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Ends the node, at once. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
