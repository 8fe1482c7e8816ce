package io.flotilla.credentials;

import io.flotilla.config.ConfigException;
import io.flotilla.config.CredentialsConfig.VoCredentialConfig;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.VoConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The credential source of every VO of a site, built at start: robot credentials are loaded
 * and checked (expired, not yet valid, key mismatch and broken proxy chains are refused),
 * token issuers' client secrets are read once to check them.
 *
 * @param sources the source per VO name
 * @param robots the renewable robot credential of every VO that gets proxies, by VO name
 */
public record CredentialSources(
    Map<String, CredentialSource> sources, Map<String, RenewableCredential> robots) {

  /**
   * @throws CredentialException naming the VO's file and the reason
   */
  public static CredentialSources forSite(SiteConfig config, Clock clock) {
    Map<String, CredentialSource> sources = new LinkedHashMap<>();
    Map<String, RenewableCredential> robots = new LinkedHashMap<>();
    ProxyIssuer proxies = new ProxyIssuer();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < config.vos().size(); i++) {
      VoConfig vo = config.vos().get(i);
      VoCredentialConfig settings = config.credentials().forVo(vo.name());
      if (settings.usesTokens()) {
        sources.put(vo.name(), new CredentialSource.Tokens(
            new TokenClient(vo.name(), settings.tokenIssuer().orElseThrow())));
        continue;
      }
      RenewableCredential robot;
      try {
        robot = new RenewableCredential(vo.name(), vo.robotCertificate(), vo.robotKey(), clock);
      } catch (CredentialException e) {
        problems.add(config.source() + ": vos[" + i + "].robot_certificate: " + e.getMessage());
        continue;
      }
      warnIfShorterThanLifetime(vo, robot, clock);
      robots.put(vo.name(), robot);
      sources.put(vo.name(),
          new CredentialSource.Proxies(robot, settings.proxyType(), proxies));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new CredentialSources(Map.copyOf(sources), Map.copyOf(robots));
  }

  /** Proxies are cut at the source's expiry: say so at start rather than at the VM. */
  private static void warnIfShorterThanLifetime(
      VoConfig vo, RenewableCredential robot, Clock clock) {
    java.time.Instant machineEnd = clock.instant().plus(vo.lifetime()).plus(vo.grace());
    if (robot.get().notAfter().isBefore(machineEnd)) {
      org.slf4j.LoggerFactory.getLogger(CredentialSources.class).warn("robot certificate"
          + " expires before a machine started now would end; its proxy will be cut short"
          + " vo={} expires={} machine_end={}", vo.name(), robot.get().notAfter(),
          machineEnd);
    }
  }
}
