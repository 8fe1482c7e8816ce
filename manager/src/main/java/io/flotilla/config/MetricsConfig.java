package io.flotilla.config;

/**
 * The optional {@code metrics:} listener, serving the manager's metrics in Prometheus text
 * format at {@code /metrics}. It is a server of its own so that guests, which reach the
 * guest API, never see site metrics.
 *
 * @param enabled whether the listener runs (off unless the site file has {@code metrics:})
 * @param bindHost the address it binds to
 * @param port its port (0 picks a free one, for tests)
 */
public record MetricsConfig(boolean enabled, String bindHost, int port) {
  /** No metrics listener. */
  public static MetricsConfig off() {
    return new MetricsConfig(false, "127.0.0.1", 9390);
  }
}
