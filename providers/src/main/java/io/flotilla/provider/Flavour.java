package io.flotilla.provider;

import java.util.Objects;

/**
 * A machine size the cloud offers (a Nova flavour, an EC2 instance type, a jclouds
 * hardware profile), with what the cloud charges against a quota for one machine of it.
 *
 * @param id the cloud's id, as {@link MachineSpec#flavour()} may name it
 * @param name the cloud's display name (equal to the id where the cloud has no other)
 * @param cores processors (vCPUs)
 * @param ramMb memory in MiB
 */
public record Flavour(String id, String name, int cores, int ramMb) {

  public Flavour {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    if (cores < 0 || ramMb < 0) {
      throw new IllegalArgumentException("flavour " + id + ": cores and ramMb must be 0 or"
          + " more, got cores=" + cores + " ramMb=" + ramMb);
    }
  }
}
