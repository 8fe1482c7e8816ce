package io.flotilla.cloudcalls;

import io.flotilla.provider.CloudException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one cloud may be called now. A throttled call stops every create on the cloud (not
 * only the VO's) for a backoff that doubles with each throttle in a row, with jitter so
 * several managers do not come back in step, never shorter than the cloud's own
 * {@code retryAfter}, and bounded. Refused credentials (or a clock the cloud rejects) stop
 * every call for {@code authPause}: another call could only be refused again.
 *
 * <p>Kept in memory by the manager that calls the cloud: a new leader starts without pauses
 * and learns from the cloud's first answer. Thread-safe.
 */
public final class CloudGate {
  private static final Logger log = LoggerFactory.getLogger(CloudGate.class);
  /** The first throttle backoff; it doubles with each throttle in a row. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(2);
  /** The longest backoff the doubling reaches. */
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  /** The longest wait a cloud's retry-after may impose. */
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  private final String cloud;
  private final Clock clock;
  private final Duration authPause;
  private final DoubleSupplier jitter;
  private int throttlesInARow;
  private Pause creates;
  private Pause calls;
  private Pause quota;

  /** Why and until when calls of one kind are not sent. */
  public record Pause(Instant until, String reason) {}

  /**
   * @param jitter a random number in [0, 1) per backoff
   */
  public CloudGate(String cloud, Clock clock, Duration authPause, DoubleSupplier jitter) {
    this.cloud = cloud;
    this.clock = clock;
    this.authPause = authPause;
    this.jitter = jitter;
  }

  /** The pause that stops creates now, if any: a throttle or an auth pause. */
  public synchronized Optional<Pause> createsPaused() {
    Optional<Pause> all = callsPaused();
    if (all.isPresent()) {
      return all;
    }
    Instant now = clock.instant();
    if (quota != null && now.isBefore(quota.until())) {
      return Optional.of(quota);
    }
    return Optional.ofNullable(creates).filter(p -> now.isBefore(p.until()));
  }

  /**
   * Lets creates go again after a quota refusal, once the planner's limit for the cloud has
   * been lowered to what it holds: from then on the planner asks for nothing that does not
   * fit, so no create is refused for quota in a loop.
   */
  public synchronized void quotaLimitLowered() {
    quota = null;
  }

  /** The pause that stops every call now, if any. */
  public synchronized Optional<Pause> callsPaused() {
    return Optional.ofNullable(calls).filter(p -> clock.instant().isBefore(p.until()));
  }

  /** Notes the outcome of a call that was sent: a failure may pause the cloud. */
  public void observe(CloudCall call, Throwable failure) {
    if (failure == null) {
      if (call == CloudCall.CREATE) {
        createAccepted();
      }
      return;
    }
    if (!(failure instanceof CloudException refusal) || failure instanceof NotSentException) {
      return;
    }
    switch (refusal.kind()) {
      case THROTTLED -> throttled(call, refusal);
      case AUTH -> authRefused(call, refusal);
      case QUOTA_EXCEEDED -> quotaRefused(refusal);
      default -> { }
    }
  }

  private synchronized void createAccepted() {
    throttlesInARow = 0;
  }

  /**
   * Pauses creates for {@code max(retryAfter, jittered backoff)}: the backoff is
   * {@link #FIRST_BACKOFF} doubled per throttle in a row, up to {@link #MAX_BACKOFF}, and the
   * jitter takes it anywhere between half and all of that.
   */
  synchronized Duration throttled(CloudCall call, CloudException refusal) {
    throttlesInARow = Math.min(throttlesInARow + 1, 30);
    Duration wait = backoff(throttlesInARow);
    if (refusal.retryAfter() != null) {
      Duration asked = refusal.retryAfter().compareTo(MAX_RETRY_AFTER) > 0
          ? MAX_RETRY_AFTER : refusal.retryAfter();
      wait = asked.compareTo(wait) > 0 ? asked : wait;
    }
    Instant until = clock.instant().plus(wait);
    if (creates == null || until.isAfter(creates.until())) {
      creates = new Pause(until, "cloud throttled a " + call.word() + " call");
      log.warn("cloud throttled us, no creates on it until then cloud={} call={} until={}"
          + " in_a_row={} error={}", cloud, call.word(), until, throttlesInARow,
          refusal.getMessage());
    }
    return wait;
  }

  /** The jittered backoff after {@code inARow} throttles: in [half, all] of the doubling. */
  Duration backoff(int inARow) {
    long full = FIRST_BACKOFF.toMillis() << Math.min(inARow - 1, 20);
    full = Math.min(full, MAX_BACKOFF.toMillis());
    return Duration.ofMillis(full / 2 + (long) (jitter.getAsDouble() * (full / 2)));
  }

  /**
   * Stops the creates already queued in this pass; the next pass lowers the limit and lifts
   * this pause. Bounded all the same, should no pass come.
   */
  private synchronized void quotaRefused(CloudException refusal) {
    quota = new Pause(clock.instant().plus(MAX_BACKOFF), "cloud refused a create for quota ("
        + refusal.resource() + ")");
  }

  private synchronized void authRefused(CloudCall call, CloudException refusal) {
    Instant until = clock.instant().plus(authPause);
    boolean fresh = calls == null || !clock.instant().isBefore(calls.until());
    calls = new Pause(until, "cloud refused our credentials or clock");
    if (fresh) {
      log.error("cloud refused our credentials or clock, pausing every call to it cloud={}"
          + " call={} until={} error={}", cloud, call.word(), until, refusal.getMessage());
    }
  }
}
