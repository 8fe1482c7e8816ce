package io.flotilla.provider;

/** The few states every cloud's own states map into. */
public enum CloudState {
  /** Accepted by the cloud, not yet running. */
  PENDING,
  /** Running: the guest may be booting or working. */
  RUNNING,
  /** Being stopped or deleted. */
  STOPPING,
  /** Powered off by the guest or the cloud; still exists and still counts. */
  STOPPED,
  /** The cloud reports an error for the machine. */
  ERROR,
  /** Deleted: the cloud no longer holds it. */
  GONE,
  /** A state this provider does not know; treated as transitional. */
  UNKNOWN
}
