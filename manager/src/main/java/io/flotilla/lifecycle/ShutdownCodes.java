package io.flotilla.lifecycle;

/**
 * The shutdown messages the manager writes itself when a machine ends without saying why,
 * in the Vacuum Platform's wording. A guest's own message always wins over these.
 */
final class ShutdownCodes {
  static final int MANAGER_CODE = 700;
  static final String FAILED_TO_START = "Failed to start";
  static final String HEARTBEAT_NOT_UPDATED = "Heartbeat not updated";
  static final String PASSED_SHUTDOWNTIME = "Passed shutdowntime";

  private ShutdownCodes() {}
}
