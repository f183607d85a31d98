package org.raftengine.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * What the JVM says about allocation, heap, CPU and GC, for one measured window.
 *
 * <p>Allocation is the sum over all live threads of HotSpot's per-thread allocated-bytes counter
 * ({@code com.sun.management.ThreadMXBean}), taken per thread at both ends of the window, so a thread
 * that starts inside the window counts from zero. It covers every thread in the JVM, the harness's
 * clients included (they allocate the 64-byte command and a completion lambda per command, the same
 * for every system). A thread that ends inside the window loses its share; the systems' threads live
 * for the whole trial.
 */
final class JvmMeters {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    static {
        if (THREADS.isThreadAllocatedMemorySupported() && !THREADS.isThreadAllocatedMemoryEnabled()) {
            THREADS.setThreadAllocatedMemoryEnabled(true);
        }
    }

    private JvmMeters() {
    }

    /** Allocated bytes so far of every live thread, by thread id. */
    static Map<Long, Long> allocatedByThread() {
        long[] ids = THREADS.getAllThreadIds();
        long[] bytes = THREADS.getThreadAllocatedBytes(ids);
        Map<Long, Long> map = new HashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                map.put(ids[i], bytes[i]);
            }
        }
        return map;
    }

    /** Bytes allocated between two {@link #allocatedByThread} readings. */
    static long allocatedBetween(Map<Long, Long> before, Map<Long, Long> after) {
        long total = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return total;
    }

    /** CPU time used by the whole process so far, in nanoseconds (-1 if unknown). */
    static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    }

    /** Starts a new peak for every heap pool. */
    static void resetHeapPeaks() {
        for (MemoryPoolMXBean pool : heapPools()) {
            pool.resetPeakUsage();
        }
    }

    /**
     * The sum of every heap pool's peak usage since {@link #resetHeapPeaks}: an upper bound of the
     * heap's peak (pools may peak at different moments), which is what a heap size must allow for.
     */
    static long peakHeapBytes() {
        long total = 0;
        for (MemoryPoolMXBean pool : heapPools()) {
            total += pool.getPeakUsage().getUsed();
        }
        return total;
    }

    /** Heap in use now. */
    static long usedHeapBytes() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Collections so far, over every collector. */
    static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /**
     * The longest collection pause reported from its creation until {@link #close}, through the collectors'
     * notifications (as they report a collection's duration: for G1 and Parallel, its pause; the beans of
     * concurrent collectors that report whole cycles, named "... Cycles", are left out).
     */
    static final class PauseWatch implements NotificationListener, AutoCloseable {
        private final List<NotificationEmitter> emitters = new ArrayList<>();
        private final AtomicLong longestMillis = new AtomicLong();

        PauseWatch() {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter emitter && !gc.getName().endsWith("Cycles")) {
                    emitter.addNotificationListener(this, null, null);
                    emitters.add(emitter);
                }
            }
        }

        @Override
        public void handleNotification(Notification notification, Object handback) {
            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                GarbageCollectionNotificationInfo info =
                        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                longestMillis.accumulateAndGet(info.getGcInfo().getDuration(), Math::max);
            }
        }

        /** The longest pause so far, in milliseconds. */
        long longestMillis() {
            return longestMillis.get();
        }

        @Override
        public void close() {
            for (NotificationEmitter emitter : emitters) {
                try {
                    emitter.removeNotificationListener(this);
                } catch (ListenerNotFoundException ignored) {
                    // not registered: nothing to undo
                }
            }
        }
    }

    /** Milliseconds spent collecting so far (as the collectors report it: pauses for G1). */
    static long gcMillis() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionTime());
        }
        return n;
    }
}
