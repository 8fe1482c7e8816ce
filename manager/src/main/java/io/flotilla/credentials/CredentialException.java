package io.flotilla.credentials;

/**
 * A robot credential could not be loaded or a proxy could not be issued. Messages name the
 * file or machine and the reason, and never contain key material.
 */
public final class CredentialException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CredentialException(String message) {
    super(message);
  }

  public CredentialException(String message, Throwable cause) {
    super(message, cause);
  }
}
