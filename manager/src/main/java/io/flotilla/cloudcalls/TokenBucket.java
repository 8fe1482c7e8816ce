package io.flotilla.cloudcalls;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket: holds at most {@code burst} tokens, refilled at {@code perSecond}; each call
 * takes one. A caller that finds the bucket empty reserves the next token and sleeps until it
 * is due, so waiting callers are served in order and the long-run rate never exceeds the
 * refill rate.
 *
 * <p>Why our own: Guava's {@code RateLimiter} is a token bucket, but its public API fixes the
 * burst at one second of the rate; Resilience4j's and Failsafe's limiters count calls per
 * fixed period (or space them evenly), which is not the bucket a site's cloud admin
 * describes. The logic is a few lines; a nanosecond ticker makes it testable without sleeps.
 *
 * <p>Thread-safe.
 */
public final class TokenBucket {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final double perNano;
  private final int burst;
  private final LongSupplier ticker;
  private double tokens;
  private long refilledAt;

  /**
   * @param perSecond tokens added a second, above 0
   * @param burst the most tokens held, at least 1; the bucket starts full
   * @param ticker nanoseconds of a monotonic clock, e.g. {@code System::nanoTime}
   */
  public TokenBucket(double perSecond, int burst, LongSupplier ticker) {
    if (!(perSecond > 0) || burst < 1) {
      throw new IllegalArgumentException("token bucket needs a rate above 0 and a burst of at"
          + " least 1, got rate=" + perSecond + " burst=" + burst);
    }
    this.perNano = perSecond / NANOS_PER_SECOND;
    this.burst = burst;
    this.ticker = ticker;
    this.tokens = burst;
    this.refilledAt = ticker.getAsLong();
  }

  /**
   * Reserves one token if it is due within {@code maxWait}.
   *
   * @return nanoseconds until the reserved token is due (0 = now), or -1 if none is due
   *     within {@code maxWait}; nothing is reserved then
   */
  public synchronized long reserve(Duration maxWait) {
    long now = ticker.getAsLong();
    tokens = Math.min(burst, tokens + (now - refilledAt) * perNano);
    refilledAt = now;
    long wait = tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
    if (wait > maxWait.toNanos()) {
      return -1;
    }
    tokens -= 1;
    return wait;
  }

  /**
   * Takes one token, sleeping until it is due.
   *
   * @return false if none is due within {@code maxWait}; nothing was taken then
   */
  public boolean acquire(Duration maxWait) throws InterruptedException {
    long wait = reserve(maxWait);
    if (wait < 0) {
      return false;
    }
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
    return true;
  }
}
