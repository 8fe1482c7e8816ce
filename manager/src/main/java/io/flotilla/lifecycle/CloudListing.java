package io.flotilla.lifecycle;

import io.flotilla.provider.CloudMachine;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What one cloud reported in this pass, by Flotilla machine id. A listing that could not be
 * fetched is {@link #unavailable()}: decisions that need the cloud's view wait a pass.
 */
public record CloudListing(
    boolean available, Instant takenAt, Map<String, CloudMachine> byMachineId) {

  public static CloudListing unavailable(Instant now) {
    return new CloudListing(false, now, Map.of());
  }

  public Optional<CloudMachine> find(String machineId) {
    return Optional.ofNullable(byMachineId.get(machineId));
  }
}
