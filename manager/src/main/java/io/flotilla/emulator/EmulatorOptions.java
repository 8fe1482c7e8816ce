package io.flotilla.emulator;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How the emulated pilot VMs behave, as a site file sets it.
 *
 * @param jobMin shortest simulated job ({@code job_seconds_min})
 * @param jobMax longest simulated job ({@code job_seconds_max})
 * @param jobsPerVmMin fewest jobs a VM finds in its queue ({@code jobs_per_vm_min})
 * @param jobsPerVmMax most jobs a VM finds in its queue ({@code jobs_per_vm_max})
 * @param emptyQueueVos VOs whose task queues are empty: their VMs say "300 Nothing to do"
 *     ({@code empty_queue_vos})
 * @param silentRate share of VMs that never send a heartbeat ({@code silent_rate})
 * @param seed seed of the dice, for repeatable runs ({@code seed}); empty = random
 */
public record EmulatorOptions(
    Duration jobMin,
    Duration jobMax,
    int jobsPerVmMin,
    int jobsPerVmMax,
    Set<String> emptyQueueVos,
    double silentRate,
    OptionalLong seed) {

  private static final String JOB_SECONDS_MIN = "job_seconds_min";
  private static final String JOB_SECONDS_MAX = "job_seconds_max";
  private static final String JOBS_PER_VM_MIN = "jobs_per_vm_min";
  private static final String JOBS_PER_VM_MAX = "jobs_per_vm_max";
  private static final String EMPTY_QUEUE_VOS = "empty_queue_vos";
  private static final String SILENT_RATE = "silent_rate";
  private static final String SEED = "seed";
  private static final List<String> KNOWN = List.of(JOB_SECONDS_MIN, JOB_SECONDS_MAX,
      JOBS_PER_VM_MIN, JOBS_PER_VM_MAX, EMPTY_QUEUE_VOS, SILENT_RATE, SEED);
  private static final long MAX_JOB_SECONDS = Duration.ofDays(7).toSeconds();
  private static final int MAX_JOBS_PER_VM = 100_000;

  public EmulatorOptions {
    Objects.requireNonNull(jobMin, "jobMin");
    Objects.requireNonNull(jobMax, "jobMax");
    Objects.requireNonNull(seed, "seed");
    emptyQueueVos = Set.copyOf(emptyQueueVos);
    if (jobMin.isNegative() || jobMax.compareTo(jobMin) < 0) {
      throw invalid(JOB_SECONDS_MAX, "must be at least " + JOB_SECONDS_MIN + " (" + jobMin
          + ") and neither may be negative, got " + jobMax);
    }
    if (jobsPerVmMin < 0 || jobsPerVmMax < jobsPerVmMin) {
      throw invalid(JOBS_PER_VM_MAX, "must be at least " + JOBS_PER_VM_MIN + " ("
          + jobsPerVmMin + ") and neither may be negative, got " + jobsPerVmMax);
    }
    if (!(silentRate >= 0 && silentRate <= 1)) {
      throw invalid(SILENT_RATE, "must be between 0 and 1, got " + silentRate);
    }
  }

  /** Jobs of one to five minutes, one to three per VM, no empty queue, no silent VM. */
  public static EmulatorOptions defaults() {
    return new EmulatorOptions(Duration.ofSeconds(60), Duration.ofSeconds(300), 1, 3,
        Set.of(), 0, OptionalLong.empty());
  }

  /**
   * Reads the emulator block of a site file. Missing keys take the {@link #defaults()}.
   *
   * @throws IllegalArgumentException naming the option and the reason, for an unknown key, a
   *     value of the wrong type or a value out of range
   */
  public static EmulatorOptions fromMap(Map<String, ?> options) {
    Objects.requireNonNull(options, "options");
    for (String key : options.keySet()) {
      if (!KNOWN.contains(key)) {
        throw invalid(key, "unknown option; known options are " + KNOWN);
      }
    }
    EmulatorOptions defaults = defaults();
    return new EmulatorOptions(
        seconds(options, JOB_SECONDS_MIN, defaults.jobMin()),
        seconds(options, JOB_SECONDS_MAX, defaults.jobMax()),
        count(options, JOBS_PER_VM_MIN, defaults.jobsPerVmMin()),
        count(options, JOBS_PER_VM_MAX, defaults.jobsPerVmMax()),
        vos(options.get(EMPTY_QUEUE_VOS)),
        rate(options.get(SILENT_RATE)),
        seed(options.get(SEED)));
  }

  private static Duration seconds(Map<String, ?> options, String key, Duration fallback) {
    Object value = options.get(key);
    if (value == null) {
      return fallback;
    }
    double seconds = number(key, value);
    if (seconds < 0 || seconds > MAX_JOB_SECONDS) {
      throw invalid(key, "must be between 0 and " + MAX_JOB_SECONDS + " seconds, got " + value);
    }
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }

  private static int count(Map<String, ?> options, String key, int fallback) {
    Object value = options.get(key);
    if (value == null) {
      return fallback;
    }
    long count = integer(key, value);
    if (count < 0 || count > MAX_JOBS_PER_VM) {
      throw invalid(key, "must be between 0 and " + MAX_JOBS_PER_VM + ", got " + count);
    }
    return (int) count;
  }

  private static Set<String> vos(Object value) {
    if (value == null) {
      return Set.of();
    }
    if (!(value instanceof List<?> list)) {
      throw invalid(EMPTY_QUEUE_VOS, "must be a list of VO names, got " + typeName(value));
    }
    Set<String> vos = new LinkedHashSet<>();
    List<Object> entries = new ArrayList<>(list);
    for (int i = 0; i < entries.size(); i++) {
      if (!(entries.get(i) instanceof String vo) || vo.isBlank()) {
        throw invalid(EMPTY_QUEUE_VOS + "[" + i + "]", "must be a non-blank VO name, got "
            + (entries.get(i) == null ? "null" : typeName(entries.get(i))));
      }
      vos.add(vo.strip());
    }
    return vos;
  }

  private static double rate(Object value) {
    if (value == null) {
      return 0;
    }
    double rate = number(SILENT_RATE, value);
    if (!(rate >= 0 && rate <= 1)) {
      throw invalid(SILENT_RATE, "must be between 0 and 1, got " + value);
    }
    return rate;
  }

  private static OptionalLong seed(Object value) {
    return value == null ? OptionalLong.empty() : OptionalLong.of(integer(SEED, value));
  }

  private static double number(String key, Object value) {
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
      throw invalid(key, "must be a finite number, got " + typeName(value));
    }
    return number.doubleValue();
  }

  private static long integer(String key, Object value) {
    if (value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big && big.bitLength() < Long.SIZE) {
      return big.longValue();
    }
    throw invalid(key, "must be a whole number that fits in 64 bits, got "
        + typeName(value) + " " + value);
  }

  private static String typeName(Object value) {
    return value.getClass().getSimpleName();
  }

  private static IllegalArgumentException invalid(String key, String reason) {
    return new IllegalArgumentException("emulator option " + key + ": " + reason);
  }
}
