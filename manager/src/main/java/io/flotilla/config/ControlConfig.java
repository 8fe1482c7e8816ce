package io.flotilla.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What the controller needs beyond the first version's settings: shares, limits, quotas,
 * abort rules, drains and APEL accounting. Read by {@link ControlConfigReader}; every value
 * has been checked.
 *
 * @param vos the policy of each VO's machine type, by VO name
 * @param spaces the limits of each cloud space, by cloud name
 * @param siteShutdown a planned end for every machine of the site, or null
 * @param imageRevocation what happens to machines whose image is no longer endorsed
 * @param accounting where and how APEL records are written
 */
public record ControlConfig(
    Map<String, VoPolicy> vos,
    Map<String, SpaceLimits> spaces,
    Instant siteShutdown,
    ImagePolicy imageRevocation,
    AccountingConfig accounting) {

  /** Stands for "no limit" in a {@link Quota}. */
  public static final long UNLIMITED = Long.MAX_VALUE;

  public ControlConfig {
    vos = Map.copyOf(vos);
    spaces = Map.copyOf(spaces);
  }

  /** The policy of a VO, or the defaults of a fixed-count VO if it has none recorded. */
  public VoPolicy vo(String name) {
    return vos.getOrDefault(name, VoPolicy.DEFAULTS);
  }

  /** The limits of a space, or none. */
  public SpaceLimits space(String name) {
    return spaces.getOrDefault(name, SpaceLimits.NONE);
  }

  /** Whether any VO asks for share mode (and so every space it uses needs a limit). */
  public boolean shareMode() {
    return vos.values().stream().anyMatch(VoPolicy::shareMode);
  }

  /**
   * Ceilings on instances, processors, RAM and HS06; {@link #UNLIMITED} (or infinity for
   * HS06) where none is set.
   */
  public record Quota(long instances, long processors, long ramMb, double hs06) {
    public static final Quota NONE = new Quota(UNLIMITED, UNLIMITED, UNLIMITED,
        Double.POSITIVE_INFINITY);

    /** The lower of each pair of ceilings. */
    public Quota min(Quota other) {
      return new Quota(Math.min(instances, other.instances),
          Math.min(processors, other.processors), Math.min(ramMb, other.ramMb),
          Math.min(hs06, other.hs06));
    }

    public boolean hasProcessorLimit() {
      return processors != UNLIMITED;
    }
  }

  /**
   * One VO's machine type, applied on each space it runs on.
   *
   * @param targetShare share of each space's capacity (any positive scale; shares of one
   *     space are normalised), or 0 for a fixed-count VO ({@code machines})
   * @param fizzle a machine that ends sooner than this after it started, without a code of
   *     its own, counts as an abort ({@code fizzle})
   * @param maxStartingProcessors processors of this type that may be starting at once per
   *     space, {@link ControlConfig#UNLIMITED} for no limit
   * @param maxProcessors processors of this type per space (Vcycle's machinetype
   *     {@code processors_limit}), {@link ControlConfig#UNLIMITED} for no limit
   * @param abortIncludes700 whether 700-799 codes count as aborts (Vac 3: yes; Vcycle: no)
   * @param quota the VO's ceilings over the whole site
   * @param spaceQuota the VO's ceilings on each space
   * @param demand standing wish for this many machines in all, or -1 for none
   * @param heartbeatTolerance lateness allowed beyond the heartbeat interval, or null for the
   *     default (one interval plus two reconcile cycles)
   * @param fqan the VOMS FQAN written into accounting, or null
   */
  public record VoPolicy(
      double targetShare,
      Duration fizzle,
      long maxStartingProcessors,
      long maxProcessors,
      boolean abortIncludes700,
      Quota quota,
      Quota spaceQuota,
      int demand,
      Duration heartbeatTolerance,
      String fqan) {

    public static final VoPolicy DEFAULTS = new VoPolicy(0, Duration.ofMinutes(10), UNLIMITED,
        UNLIMITED, false, Quota.NONE, Quota.NONE, -1, null, null);

    public boolean shareMode() {
      return targetShare > 0;
    }
  }

  /**
   * A cloud space's own ceilings and creation pace.
   *
   * @param limits ceilings counting every machine in the project, ours or not
   * @param creationCap processors that may be asked for in one pass, 0 for about 10% of the
   *     processor limit (at least one machine)
   * @param ramRoundingMb the cloud charges RAM in multiples of this (1 for exact)
   * @param flavours what the cloud charges for each flavour, when it differs from the VO's
   *     declared size
   */
  public record SpaceLimits(
      Quota limits, long creationCap, long ramRoundingMb, Map<String, Flavour> flavours) {
    public static final SpaceLimits NONE = new SpaceLimits(Quota.NONE, 0, 1, Map.of());

    public SpaceLimits {
      flavours = Map.copyOf(flavours);
    }
  }

  /** What a cloud charges against quota for one machine of a flavour. */
  public record Flavour(int processors, long ramMb) {}

  /** What to do with machines whose image left every endorsed list. */
  public enum ImagePolicy {
    /** Let them run to the end of their lifetime. */
    KEEP,
    /** Publish a shutdowntime one grace period away. */
    DRAIN,
    /** Publish a shutdowntime of now. */
    TERMINATE
  }

  /**
   * @param apelDir the APEL SSM outgoing directory, or null for no APEL records
   * @param archiveDir a second name for every record file written, kept by the site so a
   *     restarted manager never writes a machine twice after the sender removed the first
   * @param includeFizzled whether machines that fizzled get a record
   * @param submitHost the SubmitHost value, or null for {@code <space>/flotilla-<host>}
   * @param infrastructureType the APEL InfrastructureType ({@code grid} or {@code local})
   */
  public record AccountingConfig(
      Path apelDir, Path archiveDir, boolean includeFizzled, String submitHost,
      String infrastructureType) {}
}
