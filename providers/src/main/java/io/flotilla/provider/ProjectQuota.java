package io.flotilla.provider;

import java.util.Objects;

/**
 * A cloud project's quota and what it uses now, as the cloud itself reports them. Usage
 * counts every machine of the project, not only those started by this site.
 *
 * @param limits the ceilings; a null amount is unlimited or not reported
 * @param usage what is in use; a null amount is not reported
 */
public record ProjectQuota(Limits limits, Usage usage) {

  public ProjectQuota {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(usage, "usage");
  }

  /**
   * The project's ceilings.
   *
   * @param instances machines, or null for unlimited or unknown
   * @param cores processors (vCPUs), or null for unlimited or unknown
   * @param ramMb memory in MiB, or null for unlimited or unknown
   */
  public record Limits(Long instances, Long cores, Long ramMb) {
    public static final Limits UNKNOWN = new Limits(null, null, null);

    public Limits {
      requireNotNegative("limits.instances", instances);
      requireNotNegative("limits.cores", cores);
      requireNotNegative("limits.ramMb", ramMb);
    }
  }

  /**
   * What the project uses now.
   *
   * @param instances machines, or null if not reported
   * @param cores processors (vCPUs), or null if not reported
   * @param ramMb memory in MiB, or null if not reported
   */
  public record Usage(Long instances, Long cores, Long ramMb) {
    public static final Usage UNKNOWN = new Usage(null, null, null);

    public Usage {
      requireNotNegative("usage.instances", instances);
      requireNotNegative("usage.cores", cores);
      requireNotNegative("usage.ramMb", ramMb);
    }
  }

  /**
   * A reported amount where a negative number means "unlimited", as in Nova's and
   * OpenNebula's quota answers: null for a negative or absent amount.
   */
  public static Long ceiling(Long reported) {
    return reported == null || reported < 0 ? null : reported;
  }

  private static void requireNotNegative(String field, Long amount) {
    if (amount != null && amount < 0) {
      throw new IllegalArgumentException("project quota: " + field
          + ": must be 0 or more (null for unlimited or unknown), got " + amount);
    }
  }
}
