package io.flotilla.control;

/**
 * Resources in use in a space: instances, processors, RAM and HS06.
 *
 * @param instances machines
 * @param processors processors (cores, vCPUs)
 * @param ramMb memory in MiB
 * @param hs06 HEP-SPEC06
 */
public record Usage(long instances, long processors, long ramMb, double hs06) {
  public static final Usage NONE = new Usage(0, 0, 0, 0);

  public Usage plus(Usage other) {
    return new Usage(instances + other.instances, processors + other.processors,
        ramMb + other.ramMb, hs06 + other.hs06);
  }
}
