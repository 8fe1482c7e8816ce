package io.flotilla.credentials;

import io.flotilla.config.CredentialsConfig.ProxyType;
import java.time.Instant;
import java.util.function.Supplier;

/** Where one VO's machine credentials come from: proxies of a robot credential, or tokens. */
public sealed interface CredentialSource {
  /**
   * Issues a credential valid no later than {@code notAfter}.
   *
   * @throws CredentialException naming the reason, never a secret
   */
  IssuedCredential issue(String machineId, Instant notAfter, Instant now);

  /**
   * Whether a failed issue may be retried by the guest. A proxy is minted locally and a
   * failure means the robot credential itself is unusable; more importantly a second proxy
   * for one machine must never exist, so its one fetch is spent. A token request fails
   * before anything was granted (issuer unreachable, refused), so the guest may ask again.
   */
  boolean retryable();

  /**
   * Proxies signed with the VO's current robot credential.
   *
   * @param robot the current credential (re-read when its files change)
   */
  record Proxies(Supplier<RobotCredential> robot, ProxyType type, ProxyIssuer issuer)
      implements CredentialSource {
    @Override
    public IssuedCredential issue(String machineId, Instant notAfter, Instant now) {
      return issuer.issue(robot.get(), type, notAfter, now);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /** Tokens from the VO's OAuth2 issuer. */
  record Tokens(TokenClient client) implements CredentialSource {
    @Override
    public IssuedCredential issue(String machineId, Instant notAfter, Instant now) {
      return client.request(machineId, notAfter, now);
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }
}
