package io.flotilla.credentials;

import io.flotilla.trust.OpenSslDn;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the robot certificates of the VOs that get proxies: a warning for each one that
 * expires within the site's window ({@code credentials.expiry_warning}) whenever
 * {@link #check()} runs (at start and every {@link #CHECK_INTERVAL}), and two gauges per VO:
 * <ul>
 *   <li>{@code flotilla_robot_certificate_seconds_to_expiry{vo}}: until the robot (end-entity)
 *       certificate expires;
 *   <li>{@code flotilla_credential_source_seconds_to_expiry{vo}}: until the signing chain
 *       expires, which for a VOMS proxy source is the proxy's own end.
 * </ul>
 * Gauges read the current (possibly renewed) credential at each scrape. Thread-safe.
 */
public final class RobotExpiryMonitor {
  /** How often the manager calls {@link #check()}. */
  public static final Duration CHECK_INTERVAL = Duration.ofDays(1);

  private static final Logger log = LoggerFactory.getLogger(RobotExpiryMonitor.class);

  private final Map<String, RenewableCredential> robots;
  private final Duration window;
  private final Clock clock;

  /**
   * @param robots the robot credential of each VO that gets proxies, by VO name
   * @param window expiring within this is warned about
   * @param registry where the gauges are registered
   */
  public RobotExpiryMonitor(Map<String, RenewableCredential> robots, Duration window,
      Clock clock, MeterRegistry registry) {
    this.robots = new TreeMap<>(robots);
    this.window = window;
    this.clock = clock;
    this.robots.forEach((vo, robot) -> register(registry, vo, robot));
  }

  /**
   * Warns about each robot certificate expiring within the window.
   *
   * @return how many were warned about
   */
  public int check() {
    int warned = 0;
    for (Map.Entry<String, RenewableCredential> entry : robots.entrySet()) {
      RobotCredential robot = entry.getValue().get();
      Duration left = robot.timeUntilExpiry(clock.instant());
      if (left.compareTo(window) < 0) {
        log.warn("robot certificate expires soon vo={} file={} subject={} expires={}"
            + " daysLeft={}", entry.getKey(), robot.certificateFile(),
            OpenSslDn.format(robot.robotCertificate().getSubjectX500Principal()),
            robot.robotNotAfter(), left.toDays());
        warned++;
      }
    }
    return warned;
  }

  private void register(MeterRegistry registry, String vo, RenewableCredential robot) {
    Gauge.builder("flotilla.robot.certificate.seconds.to.expiry", robot,
            r -> r.get().timeUntilExpiry(clock.instant()).toSeconds())
        .description("Seconds until the VO's robot certificate expires")
        .tag("vo", vo).register(registry);
    Gauge.builder("flotilla.credential.source.seconds.to.expiry", robot,
            r -> Duration.between(clock.instant(), r.get().notAfter()).toSeconds())
        .description("Seconds until the chain proxies are signed with expires")
        .tag("vo", vo).register(registry);
  }
}
