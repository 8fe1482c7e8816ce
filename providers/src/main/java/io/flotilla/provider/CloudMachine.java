package io.flotilla.provider;

import java.util.Map;

/**
 * A machine as the cloud reports it.
 *
 * @param cloudId the cloud's own id for the machine
 * @param state the portable state
 * @param rawState the cloud's own word for the state, kept for logs
 * @param tags the labels found on the machine
 */
public record CloudMachine(
    String cloudId, CloudState state, String rawState, Map<String, String> tags) {

  public CloudMachine {
    tags = Map.copyOf(tags);
  }

  /** The Flotilla machine id tag, or null for a machine not started by Flotilla. */
  public String machineId() {
    return tags.get(Tags.MACHINE_ID);
  }
}
