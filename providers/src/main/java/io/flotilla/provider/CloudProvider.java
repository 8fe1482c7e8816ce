package io.flotilla.provider;

import java.util.List;
import java.util.Optional;

/**
 * One cloud account ("space"): the narrow interface every cloud implements.
 *
 * <p>Calls block and may take seconds; callers run them off any event loop. Every failure
 * is a {@link CloudException} whose {@link CloudException.Kind} tells the caller what to do
 * next. Implementations are thread-safe.
 */
public interface CloudProvider extends AutoCloseable {

  /** The cloud's name in the site configuration, used in logs and records. */
  String name();

  /**
   * Starts one machine. The machine carries {@link MachineSpec#tags()} from the moment it
   * exists, so it can be found by {@link #listTagged} even if the caller dies right after.
   *
   * @throws CloudException when the cloud refuses or cannot be reached; nothing is left
   *     running in that case unless the cloud itself hides it (then listTagged finds it)
   */
  CloudMachine create(MachineSpec spec);

  /** The machine's current view, or empty once the cloud no longer knows it. */
  Optional<CloudMachine> describe(String cloudId);

  /** Every machine of this cloud whose tags include all of {@code tags}. */
  List<CloudMachine> listTagged(java.util.Map<String, String> tags);

  /**
   * Deletes the machine. Deleting a machine that is already gone succeeds.
   *
   * @throws CloudException when the cloud refuses; the machine may still exist
   */
  void destroy(String cloudId);

  /**
   * The project's quota and what it uses now, in one call where the cloud allows. The
   * default reports nothing: the site file's limits then apply alone.
   *
   * @return empty when this cloud reports no quota
   * @throws CloudException when the cloud refuses or cannot be reached
   */
  default Optional<ProjectQuota> quota() {
    return Optional.empty();
  }

  /**
   * The flavours this project may start, with their sizes. The default lists none, as does a
   * cloud whose list is a fixed public catalogue rather than a property of the project.
   *
   * @throws CloudException when the cloud refuses or cannot be reached
   */
  default List<Flavour> flavours() {
    return List.of();
  }

  /**
   * The images this project owns or may start. The default lists none.
   *
   * @throws CloudException when the cloud refuses or cannot be reached
   */
  default List<CloudImage> images() {
    return List.of();
  }

  /** Releases connections; the provider is unusable afterwards. */
  @Override
  void close();
}
