package io.flotilla.control;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;

/**
 * The creation pauses of each machine type on each space, shared by the cluster: the time
 * of its last abort (a machine that ended with an abort code, or fizzled), from which the
 * planner counts {@code backoff} and the probe that follows; and pauses a cloud imposed by
 * refusing or throttling creates. Kept in a shared map so the memory survives the loss of a
 * manager and the pruning of old machine records.
 */
public final class Backoff {
  private static final String ABORT = "abort|";
  private static final String PAUSE = "pause|";

  private final ConcurrentMap<String, Long> times;

  public Backoff(ConcurrentMap<String, Long> times) {
    this.times = times;
  }

  /**
   * Notes an abort of {@code vo} on {@code space} at {@code at}, unless a later one is known.
   *
   * @return true if this is the latest abort so far
   */
  public boolean recordAbort(String vo, String space, Instant at) {
    return merge(ABORT + key(vo, space), at);
  }

  /**
   * Pauses {@code vo} on {@code space} until {@code until}, unless a later pause stands.
   *
   * @return true if this call set or lengthened the pause
   */
  public boolean pause(String vo, String space, Instant until) {
    return merge(PAUSE + key(vo, space), until);
  }

  /** The end of the pause in force at {@code now}, if any. */
  public Optional<Instant> pausedUntil(String vo, String space, Instant now) {
    Long until = times.get(PAUSE + key(vo, space));
    if (until == null || until <= now.toEpochMilli()) {
      return Optional.empty();
    }
    return Optional.of(Instant.ofEpochMilli(until));
  }

  /** A copy for one pass or one plan. */
  public View view() {
    Map<String, Long> aborts = new HashMap<>();
    Map<String, Long> pauses = new HashMap<>();
    times.forEach((key, at) -> {
      if (key.startsWith(ABORT)) {
        aborts.put(key.substring(ABORT.length()), at);
      } else if (key.startsWith(PAUSE)) {
        pauses.put(key.substring(PAUSE.length()), at);
      }
    });
    return new View(aborts, pauses);
  }

  private boolean merge(String key, Instant at) {
    long wanted = at.toEpochMilli();
    Long before = times.get(key);
    long after = times.merge(key, wanted, Math::max);
    return before == null || after > before;
  }

  static String key(String vo, String space) {
    return vo + "|" + space;
  }

  /**
   * Last aborts and cloud pauses, epoch milliseconds by {@code vo|space}.
   *
   * @param lastAbort when each type last aborted on each space
   * @param pausedUntil until when a cloud's refusal pauses each type
   */
  public record View(Map<String, Long> lastAbort, Map<String, Long> pausedUntil) {
    public View {
      lastAbort = Map.copyOf(lastAbort);
      pausedUntil = Map.copyOf(pausedUntil);
    }

    public static View none() {
      return new View(Map.of(), Map.of());
    }

    long lastAbort(String vo, String space) {
      return lastAbort.getOrDefault(key(vo, space), -1L);
    }

    long pausedUntil(String vo, String space) {
      return pausedUntil.getOrDefault(key(vo, space), -1L);
    }
  }
}
