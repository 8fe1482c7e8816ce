package io.flotilla.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the manager's guest API on 127.0.0.1: credential once (then 410), MJF keys
 * as plain text (404 when absent), heartbeat and shutdown_message PUTs answered 201. Paths:
 * {@code /cred/<m>}, {@code /mf/<m>/<key>}, {@code /jf/<m>/<key>}, {@code /out/<m>/<name>}.
 * Records every request so tests can assert what one VM did.
 */
final class FakeGuestServer implements AutoCloseable {

  record Request(String method, String path, String query, String body) {
    String line() {
      return method + " " + path;
    }
  }

  static final String PEM = "-----BEGIN CERTIFICATE-----\nTUlJQ...\n-----END CERTIFICATE-----\n"
      + "-----BEGIN PRIVATE KEY-----\nTUlJRX...\n-----END PRIVATE KEY-----\n";

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Set<String> credentialsServed = ConcurrentHashMap.newKeySet();
  private final Map<String, String> machineFeatures = new ConcurrentHashMap<>();
  private final Map<String, String> jobFeatures = new ConcurrentHashMap<>();
  private volatile String credentialBody = PEM;
  private final HttpServer server;

  private FakeGuestServer(HttpServer server) {
    this.server = server;
  }

  static FakeGuestServer start(Vertx vertx) throws Exception {
    HttpServer server = vertx.createHttpServer();
    FakeGuestServer fake = new FakeGuestServer(server);
    server.requestHandler(fake::handle);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    return fake;
  }

  String base() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Sets a $MACHINEFEATURES key of one machine, e.g. shutdowntime. */
  void machineFeature(String machineId, String key, String value) {
    machineFeatures.put(machineId + "/" + key, value);
  }

  /** Sets a $JOBFEATURES key of one machine, overriding the defaults. */
  void jobFeature(String machineId, String key, String value) {
    jobFeatures.put(machineId + "/" + key, value);
  }

  /** Makes the first credential fetch return this body instead of PEM. */
  void credentialBody(String body) {
    credentialBody = body;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  List<Request> requestsOf(String machineId) {
    return requests.stream().filter(r -> r.path().endsWith("/" + machineId)
        || r.path().contains("/" + machineId + "/")).toList();
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      requests.add(new Request(request.method().name(), request.path(), request.query(),
          body.toString()));
      String[] segments = request.path().substring(1).split("/");
      answer(request, segments);
    });
  }

  private void answer(HttpServerRequest request, String[] segments) {
    String machine = segments.length > 1 ? segments[1] : "";
    String key = segments.length > 2 ? segments[2] : "";
    switch (segments[0]) {
      case "cred" -> credential(request, machine);
      case "mf" -> text(request, machineFeatures.get(machine + "/" + key));
      case "jf" -> text(request, jobFeature(machine, key));
      case "out" -> request.response().setStatusCode(201).end();
      default -> request.response().setStatusCode(404).end();
    }
  }

  private void credential(HttpServerRequest request, String machine) {
    if (credentialsServed.add(machine)) {
      request.response().putHeader("Content-Type", "application/x-pem-file").end(credentialBody);
    } else {
      request.response().setStatusCode(410).end();
    }
  }

  private String jobFeature(String machine, String key) {
    String set = jobFeatures.get(machine + "/" + key);
    if (set != null) {
      return set;
    }
    return switch (key) {
      case "jobstart_secs" -> Long.toString(Instant.now().getEpochSecond());
      case "wall_limit_secs" -> "3600";
      case "allocated_cpu" -> "1";
      case "hs06_job" -> "10.5";
      default -> null;
    };
  }

  private static void text(HttpServerRequest request, String value) {
    if (value == null) {
      request.response().setStatusCode(404).end();
    } else {
      request.response().putHeader("Content-Type", "text/plain").end(value);
    }
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
