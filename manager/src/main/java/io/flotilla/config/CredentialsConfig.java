package io.flotilla.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How each VO's machines get their credential, and when the site is warned about robot
 * certificates: the top-level {@code credentials:} mapping and the VO keys
 * {@code proxy_type} and {@code token_issuer}.
 *
 * @param expiryWarning a robot certificate expiring within this window is warned about at
 *     start and at every check, and shows in the expiry metric
 * @param vos the credential settings of every VO, by VO name
 */
public record CredentialsConfig(Duration expiryWarning, Map<String, VoCredentialConfig> vos) {
  /** The default of {@code credentials.expiry_warning}. */
  public static final Duration DEFAULT_EXPIRY_WARNING = Duration.ofDays(14);

  public CredentialsConfig {
    vos = Map.copyOf(vos);
  }

  /** Every VO gets an impersonation proxy; warnings 14 days ahead. */
  public static CredentialsConfig defaults() {
    return new CredentialsConfig(DEFAULT_EXPIRY_WARNING, Map.of());
  }

  /** The settings of {@code vo}: an impersonation proxy when the VO set nothing. */
  public VoCredentialConfig forVo(String vo) {
    return vos.getOrDefault(vo, VoCredentialConfig.PROXY);
  }

  /** The RFC 3820 proxy policy a VO's machines get. */
  public enum ProxyType {
    /** Policy language id-ppl-inheritAll (1.3.6.1.5.5.7.21.1): every right of the issuer. */
    IMPERSONATION("impersonation"),
    /**
     * The Globus/VOMS limited-proxy policy language (1.3.6.1.4.1.3536.1.1.1.9): grid
     * services refuse it for job submission but accept it for data access.
     */
    LIMITED("limited");

    private final String configName;

    ProxyType(String configName) {
      this.configName = configName;
    }

    /** The name used in site files. */
    public String configName() {
      return configName;
    }
  }

  /**
   * One VO's credential: a proxy of its robot credential, or a token from its issuer.
   *
   * @param proxyType the proxy policy, when the VO gets proxies
   * @param tokenIssuer where the VO's tokens come from; empty for VOs that get proxies
   */
  public record VoCredentialConfig(ProxyType proxyType, Optional<TokenIssuerConfig> tokenIssuer) {
    public static final VoCredentialConfig PROXY =
        new VoCredentialConfig(ProxyType.IMPERSONATION, Optional.empty());

    public boolean usesTokens() {
      return tokenIssuer.isPresent();
    }
  }

  /**
   * An OAuth2 token issuer asked with the client credentials grant (RFC 6749 section 4.4).
   * Holds where the client secret is, never the secret itself.
   *
   * @param tokenEndpoint the issuer's token endpoint (https, or http on a loopback address)
   * @param clientId the client registered for this site
   * @param clientSecretFile a file holding the client secret, or empty
   * @param clientSecretEnv an environment variable holding the client secret, or empty
   * @param scope the scopes asked for (space-separated), or empty
   * @param audience the audience asked for, or empty
   */
  public record TokenIssuerConfig(
      URI tokenEndpoint, String clientId, Optional<Path> clientSecretFile,
      Optional<String> clientSecretEnv, Optional<String> scope, Optional<String> audience) {}
}
