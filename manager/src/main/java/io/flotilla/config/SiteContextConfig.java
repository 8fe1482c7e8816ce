package io.flotilla.config;

import java.util.Map;
import java.util.Optional;

/**
 * The site's part of every machine's contextualisation: the top-level {@code context:}
 * mapping of the site file.
 *
 * @param syslogCollector where VMs forward their syslog, {@code host:port}; empty for none
 * @param syslogProtocol {@code udp} or {@code tcp}
 * @param siteTemplate a cloud-config template (file relative to the site file) the site adds
 *     before each cloud-init VO's own part; empty for none
 * @param options site-wide values for {@code ##user_data_option_NAME##}; a VO's own value of
 *     the same NAME wins
 */
public record SiteContextConfig(
    Optional<String> syslogCollector, String syslogProtocol, Optional<String> siteTemplate,
    Map<String, String> options) {

  public SiteContextConfig {
    options = Map.copyOf(options);
  }

  /** No site part at all. */
  public static SiteContextConfig none() {
    return new SiteContextConfig(Optional.empty(), "udp", Optional.empty(), Map.of());
  }
}
