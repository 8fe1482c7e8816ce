package io.flotilla.context;

/** A template cannot be found, parsed or filled; the message names the template. */
public final class ContextException extends RuntimeException {
  public ContextException(String message) {
    super(message);
  }

  public ContextException(String message, Throwable cause) {
    super(message, cause);
  }
}
