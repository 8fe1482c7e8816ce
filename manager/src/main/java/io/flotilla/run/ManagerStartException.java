package io.flotilla.run;

/** The manager could not start; the message says what was refused, and nothing was left. */
public final class ManagerStartException extends RuntimeException {
  public ManagerStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
