package io.flotilla.guest;

import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Machine/Job Features (HSF-TN-2016-02) of one machine, key to decimal text, in the
 * order listings show them. Inside a VM the "job" is the VM itself and the "machine" is the
 * slot it runs in, so both sides describe the same processors.
 *
 * <p>Legacy keys that Vac still writes ({@code jobslots}, {@code phys_cores},
 * {@code log_cores}, {@code allocated_CPU}, {@code mem_limit_MB}) are included for older
 * pilots. Keys whose value is unknown ({@code hs06} of 0) or not yet announced
 * ({@code shutdowntime}) are absent rather than empty, as the note asks.
 *
 * @param machine the {@code $MACHINEFEATURES} keys
 * @param job the {@code $JOBFEATURES} keys
 */
public record MachineFeatures(Map<String, String> machine, Map<String, String> job) {
  private static final long MIB = 1_048_576L;
  private static final long MB = 1_000_000L;

  /**
   * The features of {@code record}, as of the record's current contents.
   *
   * @throws IllegalStateException if the record has no spec
   */
  public static MachineFeatures of(MachineRecord record) {
    MachineSpecs spec = record.spec();
    if (spec == null) {
      throw new IllegalStateException("machine " + record.id() + " has no spec recorded");
    }
    return new MachineFeatures(machineKeys(record, spec), jobKeys(record, spec));
  }

  private static Map<String, String> machineKeys(MachineRecord record, MachineSpecs spec) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("total_cpu", Integer.toString(spec.cores()));
    if (spec.hs06() > 0) {
      keys.put("hs06", decimal(spec.hs06()));
    }
    if (record.shutdownTime() != null) {
      keys.put("shutdowntime", epochSeconds(record.shutdownTime()));
    }
    keys.put("grace_secs", Long.toString(spec.graceSecs()));
    keys.put("jobslots", "1");
    keys.put("phys_cores", Integer.toString(spec.cores()));
    keys.put("log_cores", Integer.toString(spec.cores()));
    return Collections.unmodifiableMap(keys);
  }

  private static Map<String, String> jobKeys(MachineRecord record, MachineSpecs spec) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("allocated_cpu", Integer.toString(spec.cores()));
    keys.put("allocated_CPU", Integer.toString(spec.cores()));
    if (spec.hs06() > 0) {
      keys.put("hs06_job", decimal(spec.hs06()));
    }
    if (record.shutdownTime() != null) {
      keys.put("shutdowntime_job", epochSeconds(record.shutdownTime()));
    }
    keys.put("grace_secs_job", Long.toString(spec.graceSecs()));
    Instant start = record.startedAt() != null ? record.startedAt() : record.requestedAt();
    if (start != null) {
      keys.put("jobstart_secs", epochSeconds(start));
    }
    keys.put("job_id", record.id());
    keys.put("wall_limit_secs", Long.toString(spec.lifetimeSecs()));
    keys.put("cpu_limit_secs", Long.toString(spec.lifetimeSecs() * spec.cores()));
    keys.put("max_rss_bytes", Long.toString(spec.ramMb() * MIB));
    keys.put("mem_limit_MB", Long.toString(spec.ramMb() * MIB / MB));
    return Collections.unmodifiableMap(keys);
  }

  private static String epochSeconds(Instant instant) {
    return Long.toString(instant.getEpochSecond());
  }

  /** {@code 80.0} as {@code 80}, {@code 80.5} as {@code 80.5}: no exponent, no padding. */
  private static String decimal(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
