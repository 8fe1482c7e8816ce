package io.flotilla.lifecycle;

import io.flotilla.config.ControlConfig.ImagePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;

/**
 * Planned drains, in a map the whole cluster shares so every manager (and {@code flotilla
 * plan}) sees the same ones: a site shutdown time, per-VO shutdown times, and the moments
 * images were found revoked. A machine's {@code shutdowntime} is lowered to the earliest
 * drain that applies to it. Drains only ever move earlier: a later request never lengthens
 * one already set.
 */
public final class DrainBook {
  private static final String SITE = "site";
  private static final String VO = "vo|";
  private static final String IMAGE = "image|";

  private final ConcurrentMap<String, Long> deadlines;
  private final ImagePolicy imagePolicy;

  public DrainBook(ConcurrentMap<String, Long> deadlines, ImagePolicy imagePolicy) {
    this.deadlines = deadlines;
    this.imagePolicy = imagePolicy;
  }

  /** Every live machine must stop by {@code deadline}. */
  public void drainSite(Instant deadline) {
    deadlines.merge(SITE, deadline.toEpochMilli(), Math::min);
  }

  /** Every live machine of {@code vo} must stop by {@code deadline}. */
  public void drainVo(String vo, Instant deadline) {
    deadlines.merge(VO + vo, deadline.toEpochMilli(), Math::min);
  }

  /**
   * Notes that {@code imageId} is no longer endorsed; what follows depends on the site's
   * image policy.
   *
   * @return true if this is news
   */
  public boolean imageRevoked(String imageId, Instant noticed) {
    return deadlines.putIfAbsent(IMAGE + imageId, noticed.toEpochMilli()) == null;
  }

  /** Forgets a revocation, when the image is endorsed again. */
  public void imageRestored(String imageId) {
    deadlines.remove(IMAGE + imageId);
  }

  /** A copy of the drains in force, for one pass or one plan. */
  public View view() {
    return new View(new HashMap<>(deadlines), imagePolicy);
  }

  /** Whether a site drain is in force. */
  public boolean siteDraining() {
    return deadlines.containsKey(SITE);
  }

  /**
   * An immutable copy of the drain map.
   *
   * @param deadlines epoch milliseconds by key
   * @param imagePolicy what a revoked image means for its machines
   */
  public record View(Map<String, Long> deadlines, ImagePolicy imagePolicy) {
    public View {
      deadlines = Map.copyOf(deadlines);
    }

    public static View none() {
      return new View(Map.of(), ImagePolicy.KEEP);
    }

    public boolean siteDraining() {
      return deadlines.containsKey(SITE);
    }

    /** Whether new machines of this VO are held back by a site or VO drain. */
    public boolean voDraining(String vo) {
      return siteDraining() || deadlines.containsKey(VO + vo);
    }

    public Optional<Instant> voDeadline(String vo) {
      Long at = deadlines.get(VO + vo);
      return at == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at));
    }

    public Optional<Instant> siteDeadline() {
      Long at = deadlines.get(SITE);
      return at == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at));
    }

    /** Whether {@code imageId} was found revoked. */
    public boolean imageRevoked(String imageId) {
      return deadlines.containsKey(IMAGE + imageId);
    }

    /**
     * The earliest drain deadline for a machine, in epoch milliseconds, or
     * {@link Long#MAX_VALUE} when none applies.
     *
     * @param grace the machine's notice period, added to a revocation under the DRAIN policy
     */
    public long deadlineMillis(String vo, String imageId, Duration grace) {
      long deadline = Math.min(get(SITE), get(VO + vo));
      Long revoked = deadlines.get(IMAGE + imageId);
      if (revoked != null && imagePolicy == ImagePolicy.DRAIN) {
        deadline = Math.min(deadline, revoked + grace.toMillis());
      } else if (revoked != null && imagePolicy == ImagePolicy.TERMINATE) {
        deadline = Math.min(deadline, revoked);
      }
      return deadline;
    }

    private long get(String key) {
      Long at = deadlines.get(key);
      return at == null ? Long.MAX_VALUE : at;
    }
  }
}
