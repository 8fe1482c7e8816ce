package io.flotilla.emulator;

/**
 * A machine's user-data cannot be read the way cloud-init and a login shell would read it.
 * The message names the part and the field; it never quotes values, because the guest URLs
 * in user-data are capabilities for one machine.
 */
public class UserDataException extends IllegalArgumentException {

  public UserDataException(String message) {
    super(message);
  }

  public UserDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
