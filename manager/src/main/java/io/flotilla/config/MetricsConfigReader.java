package io.flotilla.config;

/** Reads the optional top-level {@code metrics:} mapping. */
final class MetricsConfigReader {
  private MetricsConfigReader() {}

  static MetricsConfig read(ConfigNode root) {
    boolean present = root.has("metrics");
    ConfigNode node = root.object("metrics", false);
    MetricsConfig off = MetricsConfig.off();
    String bind = node.string("bind", off.bindHost());
    int port = (int) node.integer("port", off.port(), 0, 65535);
    boolean enabled = node.bool("enabled", present);
    node.rejectUnknownKeys();
    return new MetricsConfig(enabled, bind, port);
  }
}
