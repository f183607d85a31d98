package org.raftengine.jms;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.raftengine.core.message.RaftMessage;

/**
 * The frames waiting to be sent, one bounded queue per peer: {@link #offer} (the protocol thread) never
 * blocks beyond a short lock, and drops the peer's oldest message when its queue is full; {@link #take}
 * (the sender thread) serves the peers in turn, so one busy or unreachable peer cannot starve the others.
 */
final class OutboundBuffers {

    /** A message and when it was offered (System.nanoTime), so a stale one can be discarded. */
    record Pending(RaftMessage message, long offeredNanos) {
    }

    private final int maxPerPeer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Map<String, ArrayDeque<Pending>> byPeer = new HashMap<>();
    private final List<String> peers = new ArrayList<>(); // round-robin order
    private int next;
    private int total;
    private boolean woken;

    OutboundBuffers(int maxPerPeer) {
        this.maxPerPeer = maxPerPeer;
    }

    /**
     * Queues a message for its target.
     *
     * @return the number of messages dropped to make room: 0 or 1
     */
    int offer(RaftMessage message, long nowNanos) {
        lock.lock();
        try {
            ArrayDeque<Pending> queue = byPeer.get(message.to());
            if (queue == null) {
                queue = new ArrayDeque<>();
                byPeer.put(message.to(), queue);
                peers.add(message.to());
            }
            int dropped = 0;
            if (queue.size() >= maxPerPeer) {
                queue.pollFirst();
                dropped = 1;
            } else {
                total++;
            }
            queue.addLast(new Pending(message, nowNanos));
            notEmpty.signal();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next message, peers in turn; waits at most {@code timeoutNanos} for one.
     *
     * @return the message, or {@code null} if none came in time or {@link #wake} was called
     */
    Pending take(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (total == 0 && !woken && left > 0) {
                left = notEmpty.awaitNanos(left);
            }
            woken = false;
            if (total == 0) {
                return null;
            }
            for (int i = 0; i < peers.size(); i++) {
                String peer = peers.get(next);
                next = (next + 1) % peers.size();
                ArrayDeque<Pending> queue = byPeer.get(peer);
                if (!queue.isEmpty()) {
                    total--;
                    return queue.pollFirst();
                }
            }
            throw new IllegalStateException("counted " + total + " messages but found none");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Up to {@code max} more messages for {@code peer} that are waiting already, oldest first, without waiting:
     * what the sender puts in the same JMS message as the one {@link #take} gave it.
     */
    List<Pending> takeMore(String peer, int max) {
        lock.lock();
        try {
            ArrayDeque<Pending> queue = byPeer.get(peer);
            if (queue == null || queue.isEmpty() || max <= 0) {
                return List.of();
            }
            List<Pending> more = new ArrayList<>(Math.min(max, queue.size()));
            while (more.size() < max && !queue.isEmpty()) {
                more.add(queue.pollFirst());
                total--;
            }
            return more;
        } finally {
            lock.unlock();
        }
    }

    /** Makes a waiting {@link #take} return at once, so the sender thread can look at its state. */
    void wake() {
        lock.lock();
        try {
            woken = true;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Discards every message; returns how many there were. */
    int clear() {
        lock.lock();
        try {
            int n = total;
            byPeer.values().forEach(ArrayDeque::clear);
            total = 0;
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Messages waiting, all peers together. */
    int size() {
        lock.lock();
        try {
            return total;
        } finally {
            lock.unlock();
        }
    }
}
