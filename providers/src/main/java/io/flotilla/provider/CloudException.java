package io.flotilla.provider;

import java.time.Duration;

/**
 * A cloud refused or failed a call. The message names the cloud, the call and the cloud's
 * own reason; it never carries credentials or user-data.
 */
public class CloudException extends RuntimeException {

  /** What the caller should do about the failure. */
  public enum Kind {
    /** Too many calls: wait {@link #retryAfter()} (if known) and make no more creates now. */
    THROTTLED,
    /** The project's quota is used up: {@link #resource()} names which. */
    QUOTA_EXCEEDED,
    /** The machine or image does not exist. */
    NOT_FOUND,
    /** The request itself is wrong: retrying cannot help. */
    INVALID_REQUEST,
    /** Network trouble, timeouts, server errors: retry later. */
    TRANSIENT,
    /** Credentials refused or expired, or clocks too far apart. */
    AUTH
  }

  private final Kind kind;
  private final String resource;
  private final Duration retryAfter;

  public CloudException(Kind kind, String message) {
    this(kind, message, null, null, null);
  }

  public CloudException(Kind kind, String message, Throwable cause) {
    this(kind, message, null, null, cause);
  }

  public CloudException(
      Kind kind, String message, String resource, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.resource = resource;
    this.retryAfter = retryAfter;
  }

  public Kind kind() {
    return kind;
  }

  /** For {@link Kind#QUOTA_EXCEEDED}: instances, cores, ram, ...; otherwise null. */
  public String resource() {
    return resource;
  }

  /** For {@link Kind#THROTTLED}: how long the cloud asked us to wait, or null. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
