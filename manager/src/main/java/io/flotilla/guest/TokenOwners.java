package io.flotilla.guest;

import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Finds which machine a refused token belongs to, so that a VM using another VM's token is
 * logged with both ids. Records hold only token hashes, so this is an index from hash to
 * machine id, rebuilt from a scan of the store on a miss, at most once per
 * {@link #REBUILD_INTERVAL}: a flood of wrong tokens costs at most one scan per interval,
 * and memory is one entry per machine. A token of a machine created since the last rebuild
 * may be reported as unknown until the next one.
 *
 * <p>Thread-safe; blocks (a scan of the store), so call it on a worker.
 */
final class TokenOwners {
  static final Duration REBUILD_INTERVAL = Duration.ofSeconds(30);

  private final MachineStore store;
  private final Clock clock;
  private Map<String, String> ownerByHash = Map.of();
  private Instant rebuiltAt = Instant.MIN;

  TokenOwners(MachineStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** The id of the machine whose token hashes to {@code tokenHash}, if known. */
  synchronized Optional<String> owner(String tokenHash) {
    String owner = ownerByHash.get(tokenHash);
    Instant now = clock.instant();
    if (owner == null && !now.isBefore(rebuiltAt.plus(REBUILD_INTERVAL))) {
      ownerByHash = scan();
      rebuiltAt = now;
      owner = ownerByHash.get(tokenHash);
    }
    return Optional.ofNullable(owner);
  }

  private Map<String, String> scan() {
    Map<String, String> owners = new HashMap<>();
    for (MachineRecord machine : store.all()) {
      if (machine.tokenHash() != null) {
        owners.put(machine.tokenHash(), machine.id());
      }
    }
    return owners;
  }
}
