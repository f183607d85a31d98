package org.raftengine.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MailboxExecutorTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    private MailboxExecutor mailbox;

    @AfterEach
    void stop() {
        if (mailbox != null) {
            mailbox.shutdown(false);
        }
    }

    @Test
    void runsTasksInOrderOnItsOwnThread() throws Exception {
        mailbox = new MailboxExecutor("test-mailbox", MailboxExecutor.DEFAULT_POLL_NANOS);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        AtomicReference<String> threadName = new AtomicReference<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            mailbox.execute(() -> seen.add(n));
        }
        mailbox.execute(() -> {
            threadName.set(Thread.currentThread().getName());
            done.complete(null);
        });
        done.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(seen).hasSize(100).isSorted();
        assertThat(threadName.get()).isEqualTo("test-mailbox");
    }

    @Test
    void withoutIdlePollTheThreadParksAtOnceAndWakesForTheNextTask() throws Exception {
        mailbox = new MailboxExecutor("test-mailbox", 0);
        Thread thread = runOneTask();
        assertThat(within(BOUND, () -> thread.getState() == Thread.State.WAITING))
                .as("an idle thread with no poll parks").isTrue();

        CompletableFuture<Void> second = new CompletableFuture<>();
        mailbox.execute(() -> second.complete(null));
        second.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void withIdlePollTheThreadKeepsPollingInsteadOfParking() throws Exception {
        long poll = TimeUnit.SECONDS.toNanos(30);
        mailbox = new MailboxExecutor("test-mailbox", poll);
        Thread thread = runOneTask();
        // Far inside the 30 s poll: the thread must never be seen parked.
        assertThat(within(Duration.ofMillis(200), () -> thread.getState() == Thread.State.WAITING))
                .as("a thread polling for 30 s parks within 200 ms").isFalse();
    }

    @Test
    void aNegativeIdlePollIsRefused() {
        assertThatThrownBy(() -> new MailboxExecutor("test-mailbox", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> new ThreadedRuntime("n1", Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Runs one task on the mailbox, waits for it, and returns the thread that ran it. */
    private Thread runOneTask() throws Exception {
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        mailbox.execute(() -> ran.complete(Thread.currentThread()));
        return ran.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True as soon as {@code condition} holds, false if it did not within {@code bound}. */
    private static boolean within(Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return condition.getAsBoolean();
    }
}
