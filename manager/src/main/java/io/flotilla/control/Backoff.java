package io.flotilla.control;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;

/**
 * When each VO may next create machines on each cloud, shared by the cluster. A machine
 * that ends with an abort code (its VO found no work, or could not work) pauses its VO on
 * that cloud, so empty queues do not churn VMs.
 */
public final class Backoff {
  private final ConcurrentMap<String, Long> untilByVoCloud;

  public Backoff(ConcurrentMap<String, Long> untilByVoCloud) {
    this.untilByVoCloud = untilByVoCloud;
  }

  /**
   * Pauses {@code vo} on {@code cloud} until {@code until}, unless a later pause stands.
   *
   * @return true if this call set or lengthened the pause
   */
  public boolean pause(String vo, String cloud, Instant until) {
    long wanted = until.toEpochMilli();
    Long before = untilByVoCloud.get(key(vo, cloud));
    long after = untilByVoCloud.merge(key(vo, cloud), wanted, Math::max);
    return before == null || after > before;
  }

  /** The end of the pause in force at {@code now}, if any. */
  public Optional<Instant> pausedUntil(String vo, String cloud, Instant now) {
    Long until = untilByVoCloud.get(key(vo, cloud));
    if (until == null || until <= now.toEpochMilli()) {
      return Optional.empty();
    }
    return Optional.of(Instant.ofEpochMilli(until));
  }

  private static String key(String vo, String cloud) {
    return vo + "|" + cloud;
  }
}
