package io.flotilla.control;

import io.flotilla.config.ControlConfig;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentMap;

/**
 * Demand as VOs state it, shared by the cluster: "N more" or "N fewer" machines than the VO
 * has now, kept as the resulting total, or a total set outright. A VO's {@code demand} in the
 * site file stands when it has asked for nothing since. The future REST API writes here.
 */
public final class DemandBook implements Demand {
  private final ConcurrentMap<String, Integer> wantedByVo;
  private final ControlConfig config;

  public DemandBook(ConcurrentMap<String, Integer> wantedByVo, ControlConfig config) {
    this.wantedByVo = wantedByVo;
    this.config = config;
  }

  /**
   * Records that {@code vo} wants {@code delta} more (or, negative, fewer) machines than the
   * {@code current} number it has.
   *
   * @return the total now wanted
   */
  public int ask(String vo, int delta, int current) {
    if (current < 0) {
      throw new IllegalArgumentException("demand of VO " + vo + ": current machine count must"
          + " be 0 or more, got " + current);
    }
    int total = (int) Math.max(0, Math.min(Integer.MAX_VALUE, (long) current + delta));
    wantedByVo.put(vo, total);
    return total;
  }

  /** Records that {@code vo} wants {@code total} machines in all. */
  public void set(String vo, int total) {
    if (total < 0) {
      throw new IllegalArgumentException("demand of VO " + vo + ": wanted machines must be 0"
          + " or more, got " + total);
    }
    wantedByVo.put(vo, total);
  }

  /** Forgets what {@code vo} asked for; the site file's standing demand applies again. */
  public void clear(String vo) {
    wantedByVo.remove(vo);
  }

  @Override
  public OptionalInt wanted(String vo) {
    Integer asked = wantedByVo.get(vo);
    if (asked != null) {
      return OptionalInt.of(asked);
    }
    int standing = config.vo(vo).demand();
    return standing >= 0 ? OptionalInt.of(standing) : OptionalInt.empty();
  }
}
