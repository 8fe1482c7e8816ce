package io.flotilla.provider.sandbox;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Behaviour and injected faults of a {@link SandboxCloud}, as a site file sets them.
 *
 * @param bootDelay how long a new machine stays PENDING before it runs ({@code boot_seconds})
 * @param createFailureRate chance that a create fails as TRANSIENT ({@code create_failure_rate})
 * @param errorRate chance that a created machine ends in ERROR instead of RUNNING
 *     ({@code error_rate})
 * @param destroyFailureRate chance that a destroy of an existing machine fails as TRANSIENT
 *     ({@code destroy_failure_rate})
 * @param seed seed of the fault dice, for repeatable runs ({@code seed}); empty = random
 * @param maxInstances instance quota; machines count until destroyed ({@code max_instances})
 * @param throttleAfter API rate limit: after this many accepted creates the cloud refuses
 *     creates as THROTTLED ({@code throttle_after}); empty = never
 * @param throttlePeriod how long a throttle lasts before creates are counted afresh
 *     ({@code throttle_seconds})
 * @param hideNew how long a new machine is missing from listings (a describe by id finds
 *     it), as from EC2's eventually consistent reads ({@code hide_new_seconds}); zero = never
 * @param outageAfter when, after the sandbox opened, its API becomes unreachable
 *     ({@code outage_after_seconds}); empty = never
 * @param outageLength how long that outage lasts ({@code outage_seconds})
 * @param unreportedQuota an instance quota the sandbox enforces but the manager is not told
 *     of, as an account limit no API reports ({@code unreported_max_instances}); empty = none
 */
public record SandboxOptions(
    Duration bootDelay,
    double createFailureRate,
    double errorRate,
    double destroyFailureRate,
    OptionalLong seed,
    OptionalInt maxInstances,
    OptionalInt throttleAfter,
    Duration throttlePeriod,
    Duration hideNew,
    Optional<Duration> outageAfter,
    Duration outageLength,
    OptionalInt unreportedQuota) {

  static final String BOOT_SECONDS = "boot_seconds";
  static final String CREATE_FAILURE_RATE = "create_failure_rate";
  static final String ERROR_RATE = "error_rate";
  static final String DESTROY_FAILURE_RATE = "destroy_failure_rate";
  static final String SEED = "seed";
  static final String MAX_INSTANCES = "max_instances";
  static final String THROTTLE_AFTER = "throttle_after";
  static final String THROTTLE_SECONDS = "throttle_seconds";
  static final String HIDE_NEW_SECONDS = "hide_new_seconds";
  static final String OUTAGE_AFTER_SECONDS = "outage_after_seconds";
  static final String OUTAGE_SECONDS = "outage_seconds";
  static final String UNREPORTED_MAX_INSTANCES = "unreported_max_instances";
  static final Duration DEFAULT_THROTTLE_PERIOD = Duration.ofSeconds(10);
  static final Duration DEFAULT_OUTAGE = Duration.ofSeconds(10);

  private static final List<String> KNOWN = List.of(
      BOOT_SECONDS, CREATE_FAILURE_RATE, ERROR_RATE, DESTROY_FAILURE_RATE, SEED, MAX_INSTANCES,
      THROTTLE_AFTER, THROTTLE_SECONDS, HIDE_NEW_SECONDS, OUTAGE_AFTER_SECONDS, OUTAGE_SECONDS,
      UNREPORTED_MAX_INSTANCES);

  public SandboxOptions {
    Objects.requireNonNull(bootDelay, "bootDelay");
    Objects.requireNonNull(seed, "seed");
    Objects.requireNonNull(maxInstances, "maxInstances");
    Objects.requireNonNull(throttleAfter, "throttleAfter");
    Objects.requireNonNull(throttlePeriod, "throttlePeriod");
    if (bootDelay.isNegative()) {
      throw invalid(BOOT_SECONDS, "must not be negative, got " + bootDelay);
    }
    checkRate(CREATE_FAILURE_RATE, createFailureRate);
    checkRate(ERROR_RATE, errorRate);
    checkRate(DESTROY_FAILURE_RATE, destroyFailureRate);
    if (maxInstances.isPresent() && maxInstances.getAsInt() < 0) {
      throw invalid(MAX_INSTANCES, "must be 0 or more, got " + maxInstances.getAsInt());
    }
    if (throttleAfter.isPresent() && throttleAfter.getAsInt() < 0) {
      throw invalid(THROTTLE_AFTER, "must be 0 or more, got " + throttleAfter.getAsInt());
    }
    if (throttlePeriod.isNegative() || throttlePeriod.isZero()) {
      throw invalid(THROTTLE_SECONDS, "must be above 0, got " + throttlePeriod);
    }
    Objects.requireNonNull(hideNew, "hideNew");
    Objects.requireNonNull(outageAfter, "outageAfter");
    Objects.requireNonNull(outageLength, "outageLength");
    if (hideNew.isNegative()) {
      throw invalid(HIDE_NEW_SECONDS, "must not be negative, got " + hideNew);
    }
    if (outageAfter.isPresent() && outageAfter.get().isNegative()) {
      throw invalid(OUTAGE_AFTER_SECONDS, "must not be negative, got " + outageAfter.get());
    }
    if (outageLength.isNegative() || outageLength.isZero()) {
      throw invalid(OUTAGE_SECONDS, "must be above 0, got " + outageLength);
    }
    Objects.requireNonNull(unreportedQuota, "unreportedQuota");
  }

  /** Options with a rate limit, without hidden machines or outages. */
  public SandboxOptions(Duration bootDelay, double createFailureRate, double errorRate,
      double destroyFailureRate, OptionalLong seed, OptionalInt maxInstances,
      OptionalInt throttleAfter, Duration throttlePeriod) {
    this(bootDelay, createFailureRate, errorRate, destroyFailureRate, seed, maxInstances,
        throttleAfter, throttlePeriod, Duration.ZERO, Optional.empty(), DEFAULT_OUTAGE,
        OptionalInt.empty());
  }

  /** Options without a rate limit. */
  public SandboxOptions(Duration bootDelay, double createFailureRate, double errorRate,
      double destroyFailureRate, OptionalLong seed, OptionalInt maxInstances) {
    this(bootDelay, createFailureRate, errorRate, destroyFailureRate, seed, maxInstances,
        OptionalInt.empty(), DEFAULT_THROTTLE_PERIOD);
  }

  /** These options with a rate limit of {@code creates} per {@code period}. */
  public SandboxOptions withThrottle(int creates, Duration period) {
    return new SandboxOptions(bootDelay, createFailureRate, errorRate, destroyFailureRate, seed,
        maxInstances, OptionalInt.of(creates), period, hideNew, outageAfter, outageLength,
        unreportedQuota);
  }

  /** These options with new machines missing from listings for {@code time}. */
  public SandboxOptions withHiddenNew(Duration time) {
    return new SandboxOptions(bootDelay, createFailureRate, errorRate, destroyFailureRate, seed,
        maxInstances, throttleAfter, throttlePeriod, time, outageAfter, outageLength,
        unreportedQuota);
  }

  /** One-second boot, no faults, random seed, no quota. */
  public static SandboxOptions defaults() {
    return new SandboxOptions(
        Duration.ofSeconds(1), 0, 0, 0, OptionalLong.empty(), OptionalInt.empty(),
        OptionalInt.empty(), DEFAULT_THROTTLE_PERIOD, Duration.ZERO, Optional.empty(),
        DEFAULT_OUTAGE, OptionalInt.empty());
  }

  /**
   * Reads the options block of a sandbox cloud in the site file. Missing keys take the
   * {@link #defaults()}.
   *
   * @throws IllegalArgumentException naming the option and the reason, for an unknown key, a
   *     value of the wrong type or a value out of range
   */
  public static SandboxOptions fromMap(Map<String, ?> options) {
    Objects.requireNonNull(options, "options");
    for (String key : options.keySet()) {
      if (!KNOWN.contains(key)) {
        throw invalid(key, "unknown option; known options are " + KNOWN);
      }
    }
    return new SandboxOptions(
        bootDelay(options.get(BOOT_SECONDS)),
        rate(options, CREATE_FAILURE_RATE),
        rate(options, ERROR_RATE),
        rate(options, DESTROY_FAILURE_RATE),
        seed(options.get(SEED)),
        count(MAX_INSTANCES, options.get(MAX_INSTANCES)),
        count(THROTTLE_AFTER, options.get(THROTTLE_AFTER)),
        throttlePeriod(options.get(THROTTLE_SECONDS)),
        seconds(HIDE_NEW_SECONDS, options.get(HIDE_NEW_SECONDS), Duration.ZERO),
        Optional.ofNullable(options.get(OUTAGE_AFTER_SECONDS))
            .map(value -> seconds(OUTAGE_AFTER_SECONDS, value, Duration.ZERO)),
        outageLength(options.get(OUTAGE_SECONDS)),
        count(UNREPORTED_MAX_INSTANCES, options.get(UNREPORTED_MAX_INSTANCES)));
  }

  private static Duration outageLength(Object value) {
    Duration length = seconds(OUTAGE_SECONDS, value, DEFAULT_OUTAGE);
    if (length.isZero()) {
      throw invalid(OUTAGE_SECONDS, "must be above 0, got " + value);
    }
    return length;
  }

  /** A number of seconds from 0 to a day, or {@code fallback} when absent. */
  private static Duration seconds(String key, Object value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    double seconds = number(key, value);
    if (seconds < 0 || seconds > Duration.ofDays(1).toSeconds()) {
      throw invalid(key, "must be between 0 and 86400 seconds, got " + value);
    }
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }

  private static Duration throttlePeriod(Object value) {
    if (value == null) {
      return DEFAULT_THROTTLE_PERIOD;
    }
    double seconds = number(THROTTLE_SECONDS, value);
    if (seconds <= 0 || seconds > Duration.ofDays(1).toSeconds()) {
      throw invalid(THROTTLE_SECONDS, "must be above 0 and at most 86400 seconds, got "
          + value);
    }
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }

  private static Duration bootDelay(Object value) {
    if (value == null) {
      return defaults().bootDelay();
    }
    double seconds = number(BOOT_SECONDS, value);
    if (seconds < 0 || seconds > Duration.ofDays(1).toSeconds()) {
      throw invalid(BOOT_SECONDS, "must be between 0 and 86400 seconds, got " + value);
    }
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }

  private static double rate(Map<String, ?> options, String key) {
    Object value = options.get(key);
    if (value == null) {
      return 0;
    }
    double rate = number(key, value);
    checkRate(key, rate);
    return rate;
  }

  private static OptionalLong seed(Object value) {
    return value == null ? OptionalLong.empty() : OptionalLong.of(integer(SEED, value));
  }

  private static OptionalInt count(String key, Object value) {
    if (value == null) {
      return OptionalInt.empty();
    }
    long count = integer(key, value);
    if (count < 0 || count > Integer.MAX_VALUE) {
      throw invalid(key, "must be between 0 and " + Integer.MAX_VALUE + ", got " + count);
    }
    return OptionalInt.of((int) count);
  }

  private static double number(String key, Object value) {
    if (!(value instanceof Number number)) {
      throw invalid(key, "must be a number, got " + typeName(value));
    }
    double result = number.doubleValue();
    if (!Double.isFinite(result)) {
      throw invalid(key, "must be a finite number, got " + value);
    }
    return result;
  }

  private static long integer(String key, Object value) {
    if (value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big && big.bitLength() < Long.SIZE) {
      return big.longValue();
    }
    if (value instanceof BigInteger) {
      throw invalid(key, "must fit in 64 bits, got " + value);
    }
    throw invalid(key, "must be a whole number, got " + typeName(value) + " " + value);
  }

  private static void checkRate(String key, double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw invalid(key, "must be between 0 and 1, got " + rate);
    }
  }

  private static String typeName(Object value) {
    return value.getClass().getSimpleName();
  }

  private static IllegalArgumentException invalid(String key, String reason) {
    return new IllegalArgumentException("sandbox option " + key + ": " + reason);
  }
}
