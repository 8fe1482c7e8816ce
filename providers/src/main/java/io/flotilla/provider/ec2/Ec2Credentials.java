package io.flotilla.provider.ec2;

import java.util.Objects;

/**
 * An EC2 access key pair, read from a file or an environment variable, never from the site
 * file itself.
 *
 * @param accessKeyId the key id (AKIA...); not secret, but kept out of logs all the same
 * @param secretAccessKey the secret; never logged, never printed
 */
public record Ec2Credentials(String accessKeyId, String secretAccessKey) {

  public Ec2Credentials {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
  }

  /** Prints neither the key id nor the secret. */
  @Override
  public String toString() {
    return "Ec2Credentials[accessKeyId=<redacted>, secretAccessKey=<redacted>]";
  }
}
