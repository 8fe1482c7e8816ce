package io.flotilla.provider.sandbox;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 */
public record SandboxOptions(
    Duration bootDelay,
    double createFailureRate,
    double errorRate,
    double destroyFailureRate,
    OptionalLong seed,
    OptionalInt maxInstances,
    OptionalInt throttleAfter,
    Duration throttlePeriod) {

  static final String BOOT_SECONDS = "boot_seconds";
  static final String CREATE_FAILURE_RATE = "create_failure_rate";
  static final String ERROR_RATE = "error_rate";
  static final String DESTROY_FAILURE_RATE = "destroy_failure_rate";
  static final String SEED = "seed";
  static final String MAX_INSTANCES = "max_instances";
  static final String THROTTLE_AFTER = "throttle_after";
  static final String THROTTLE_SECONDS = "throttle_seconds";
  static final Duration DEFAULT_THROTTLE_PERIOD = Duration.ofSeconds(10);

  private static final List<String> KNOWN = List.of(
      BOOT_SECONDS, CREATE_FAILURE_RATE, ERROR_RATE, DESTROY_FAILURE_RATE, SEED, MAX_INSTANCES,
      THROTTLE_AFTER, THROTTLE_SECONDS);

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
        maxInstances, OptionalInt.of(creates), period);
  }

  /** One-second boot, no faults, random seed, no quota. */
  public static SandboxOptions defaults() {
    return new SandboxOptions(
        Duration.ofSeconds(1), 0, 0, 0, OptionalLong.empty(), OptionalInt.empty(),
        OptionalInt.empty(), DEFAULT_THROTTLE_PERIOD);
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
        throttlePeriod(options.get(THROTTLE_SECONDS)));
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
