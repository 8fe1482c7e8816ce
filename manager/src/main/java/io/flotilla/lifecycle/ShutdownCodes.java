package io.flotilla.lifecycle;

import java.util.Set;

/**
 * The shutdown messages the manager writes itself when a machine ends without saying why,
 * in the Vacuum Platform's wording. A guest's own message always wins over these, so a record
 * whose message is one of these was ended by the manager, not by its guest.
 */
public final class ShutdownCodes {
  public static final int MANAGER_CODE = 700;
  public static final String FAILED_TO_START = "Failed to start";
  public static final String HEARTBEAT_NOT_UPDATED = "Heartbeat not updated";
  public static final String PASSED_SHUTDOWNTIME = "Passed shutdowntime";
  /** The cloud put the machine in error: always an abort, whatever the 700 setting. */
  public static final String CLOUD_ERROR = "Cloud reported the machine in error";
  /** The create call failed: the machine never ran, so it is neither an abort nor a job. */
  public static final String CREATE_FAILED = "Create failed";
  /** The cloud stopped listing a machine the manager had not deleted. */
  public static final String DISAPPEARED = "Machine disappeared from the cloud";
  /** The guest powered off without writing a shutdown message. */
  public static final String NO_MESSAGE = "Stopped without a shutdown message";

  private static final Set<String> MANAGER_MESSAGES = Set.of(FAILED_TO_START,
      HEARTBEAT_NOT_UPDATED, PASSED_SHUTDOWNTIME, CLOUD_ERROR, CREATE_FAILED, DISAPPEARED,
      NO_MESSAGE);

  private ShutdownCodes() {}

  /** Whether a recorded code and message are the manager's own rather than the guest's. */
  public static boolean isManagers(Integer code, String message) {
    return code != null && code == MANAGER_CODE && MANAGER_MESSAGES.contains(message);
  }
}
