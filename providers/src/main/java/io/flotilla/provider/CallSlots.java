package io.flotilla.provider;

import io.flotilla.provider.CloudException.Kind;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Bounds how many calls one cloud has in flight. A call waits at most the given time for a
 * slot; if none frees up it is not sent and fails {@link Kind#THROTTLED}, so a slow cloud
 * pushes back on its callers instead of piling up threads.
 *
 * <p>Thread-safe. Slots are handed out in arrival order.
 */
public final class CallSlots {

  private final String owner;
  private final int size;
  private final long waitMillis;
  private final Semaphore slots;

  /**
   * @param owner names the cloud in error messages, e.g. {@code "ec2 cloud site-a"}
   * @param size how many calls may be in flight at once
   * @param wait how long a call waits for a free slot
   */
  public CallSlots(String owner, int size, Duration wait) {
    this.owner = Objects.requireNonNull(owner, "owner");
    this.size = size;
    this.waitMillis = wait.toMillis();
    this.slots = new Semaphore(size, true);
  }

  /**
   * Runs {@code body} in a slot. A failure of the body leaves through {@code classify}; a call
   * that gets no slot is not sent and fails without being classified.
   *
   * @throws CloudException {@link Kind#THROTTLED} when no slot frees up in time,
   *     {@link Kind#TRANSIENT} when interrupted while waiting for one
   */
  public <T> T call(String action, Supplier<T> body,
      Function<RuntimeException, ? extends RuntimeException> classify) {
    acquire(action);
    try {
      return body.get();
    } catch (RuntimeException e) {
      throw classify.apply(e);
    } finally {
      slots.release();
    }
  }

  private void acquire(String action) {
    try {
      if (!slots.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
        throw new CloudException(Kind.THROTTLED, owner + ": " + action + " not sent: all "
            + size + " call slots busy for " + waitMillis + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudException(Kind.TRANSIENT, owner + ": " + action
          + " not sent: interrupted while waiting for a call slot", e);
    }
  }
}
