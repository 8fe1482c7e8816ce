package io.flotilla.metrics;

import io.flotilla.config.MetricsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain HTTP listener of its own that answers {@code GET /metrics} with the Prometheus text
 * format, and 404 to anything else. Kept apart from the guest API so that VMs never see
 * site metrics; bind it to an address only the site's monitoring reaches.
 */
public final class MetricsServer {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private MetricsServer() {}

  /**
   * Starts the listener.
   *
   * @return the server, once it listens; failed if the port is taken
   */
  public static Future<HttpServer> start(Vertx vertx, MetricsConfig config, Metrics metrics) {
    return vertx.createHttpServer()
        .requestHandler(request -> answer(request, metrics))
        .listen(config.port(), config.bindHost())
        .onSuccess(server -> log.info("metrics listening bind={}:{}", config.bindHost(),
            server.actualPort()));
  }

  private static void answer(HttpServerRequest request, Metrics metrics) {
    if (!"/metrics".equals(request.path())) {
      request.response().setStatusCode(404).end();
      return;
    }
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      request.response().setStatusCode(405).putHeader("Allow", "GET, HEAD").end();
      return;
    }
    request.response().putHeader("Content-Type", PROMETHEUS_TEXT)
        .putHeader("Cache-Control", "no-store").end(metrics.scrape());
  }
}
