package io.flotilla.guest;

/**
 * Something a guest sent is malformed. The message names the field and what was wrong, and
 * is sent back to the guest as the plain-text body of a 400 answer.
 */
public final class GuestInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public GuestInputException(String message) {
    super(message);
  }
}
