package io.flotilla.provider.openstack;

import java.util.Objects;

/**
 * An id and its secret on their way to Keystone: an application credential, or a user and a
 * password. Never printed: jclouds may log call arguments at trace level.
 *
 * @param id the application credential id or the user name
 * @param secret the application credential secret or the password
 */
record KeystoneSecret(String id, String secret) {

  KeystoneSecret {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(secret, "secret");
  }

  @Override
  public String toString() {
    return "KeystoneSecret[id=<redacted>, secret=<redacted>]";
  }
}
