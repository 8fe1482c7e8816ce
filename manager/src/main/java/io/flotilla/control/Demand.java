package io.flotilla.control;

import java.util.OptionalInt;

/**
 * What a VO's job framework asks for: a number of machines across the site. Demand lowers
 * or raises what the planner creates, and may drain machines a VO no longer wants; it never
 * overrides a site quota, a space limit or a share.
 */
public interface Demand {
  /** No VO has asked for anything: shares and fixed counts decide alone. */
  Demand NONE = vo -> OptionalInt.empty();

  /** The number of machines {@code vo} wants in all, or empty when it has not said. */
  OptionalInt wanted(String vo);
}
