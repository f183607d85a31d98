package org.raftengine.testkit.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How the simulated network mistreats messages. Each message gets its own random delay in
 * [{@code minDelay}, {@code maxDelay}], so messages overtake each other when the range is wide.
 *
 * @param dropProbability      chance that a message is lost
 * @param duplicateProbability chance that a message is delivered twice (each copy with its own delay)
 * @param minDelay             shortest delivery delay
 * @param maxDelay             longest delivery delay
 */
public record NetworkFaults(double dropProbability, double duplicateProbability, Duration minDelay,
                            Duration maxDelay) {

    /** No loss, no duplicates, 1 ms per message: in order between two nodes. */
    public static final NetworkFaults NONE = new NetworkFaults(0, 0, Duration.ofMillis(1), Duration.ofMillis(1));

    public NetworkFaults {
        Objects.requireNonNull(minDelay, "minDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (!(dropProbability >= 0 && dropProbability <= 1)) {
            throw new IllegalArgumentException("dropProbability must be in [0, 1]: " + dropProbability);
        }
        if (!(duplicateProbability >= 0 && duplicateProbability <= 1)) {
            throw new IllegalArgumentException("duplicateProbability must be in [0, 1]: " + duplicateProbability);
        }
        if (minDelay.isNegative() || maxDelay.compareTo(minDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= minDelay <= maxDelay, got " + minDelay + ", " + maxDelay);
        }
    }

    /** These faults with another loss and duplication rate. */
    public NetworkFaults withLoss(double drop, double duplicate) {
        return new NetworkFaults(drop, duplicate, minDelay, maxDelay);
    }

    /** These faults with another delay range. */
    public NetworkFaults withDelay(Duration min, Duration max) {
        return new NetworkFaults(dropProbability, duplicateProbability, min, max);
    }
}
