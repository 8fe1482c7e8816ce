package io.flotilla.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The manager's one Micrometer registry. Parts register their meters on {@link #registry()}
 * with dotted names ({@code flotilla.robot.certificate.seconds.to.expiry}), which the
 * Prometheus text format shows with underscores; {@link MetricsServer} serves them.
 *
 * <p>Thread-safe.
 */
public final class Metrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  /** Where meters are registered. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Every meter in the Prometheus text exposition format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  /** Releases the registry's meters. */
  public void close() {
    registry.close();
  }
}
