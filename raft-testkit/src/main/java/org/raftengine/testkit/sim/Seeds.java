package org.raftengine.testkit.sim;

/**
 * Derives independent, reproducible random streams from one seed. Every stream of a simulation (each
 * node incarnation's engine randomness, its fault decisions, the network) gets its own generator, so a
 * change in how many numbers one consumer draws never shifts what another one sees.
 */
final class Seeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** A well-mixed 64-bit value from the given parts; equal parts give equal values on every JVM. */
    static long mix(long... parts) {
        long h = GOLDEN;
        for (long p : parts) {
            h = fmix(h ^ fmix(p + GOLDEN));
            h += GOLDEN;
        }
        return h;
    }

    /** A stable number for a name: {@link String#hashCode()} is specified, so it is the same everywhere. */
    static long of(String name) {
        return name == null ? 0 : name.hashCode();
    }

    // SplitMix64's finaliser: every input bit affects every output bit.
    private static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
