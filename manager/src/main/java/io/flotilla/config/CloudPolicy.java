package io.flotilla.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How the manager treats one cloud's API, whatever its type: the pace and length of its
 * calls, how long it waits before believing a listing's silence, how it reacts to refusals
 * and what it does with machines tagged for this site that no record knows.
 *
 * @param rateLimit a token bucket over every call the manager makes to the cloud (create,
 *     describe, list, destroy); empty = no limit
 * @param callTimeout how long one call may take before it fails as TRANSIENT; empty = the
 *     provider's own call timeout times the calls one operation may make
 * @param settleTime how long after a create the cloud's listing may still miss the machine
 *     (EC2 reads are eventually consistent); a shorter floor of two cycles always applies
 * @param authPause how long the whole cloud gets no calls after it refused our credentials
 *     (or our clock)
 * @param quotaRecheck how long a limit lowered after a quota refusal stays lowered
 * @param orphans what to do with a machine tagged for this site that no record knows
 */
public record CloudPolicy(Optional<RateLimit> rateLimit, Optional<Duration> callTimeout,
    Duration settleTime, Duration authPause, Duration quotaRecheck, OrphanPolicy orphans) {

  public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_AUTH_PAUSE = Duration.ofMinutes(5);
  public static final Duration DEFAULT_QUOTA_RECHECK = Duration.ofMinutes(10);

  /**
   * A token bucket: {@code burst} calls may go at once, then {@code callsPerSecond} a second.
   */
  public record RateLimit(double callsPerSecond, int burst) {}

  /** The fate of a machine tagged for this site that no record knows. */
  public enum OrphanPolicy {
    /** Delete it: it was left by a manager that died between the cloud's answer and us. */
    TERMINATE,
    /**
     * Give it a record and let it run to its VO's lifetime from now, then delete it. Its
     * guest cannot reach the guest API (its token is unknown), so it is never checked for
     * heartbeats and gets no credential.
     */
    ADOPT
  }

  /** No rate limit, the provider's timeouts, terminate orphans. */
  public static CloudPolicy defaults() {
    return new CloudPolicy(Optional.empty(), Optional.empty(), DEFAULT_SETTLE,
        DEFAULT_AUTH_PAUSE, DEFAULT_QUOTA_RECHECK, OrphanPolicy.TERMINATE);
  }
}
