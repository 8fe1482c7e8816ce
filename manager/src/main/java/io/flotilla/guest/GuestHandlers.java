package io.flotilla.guest;

import io.flotilla.credentials.CredentialIssuer;
import io.flotilla.credentials.IssuedCredential;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import io.flotilla.state.MachineStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The guest API's request handlers; see {@link GuestApi} for the contract. */
final class GuestHandlers {
  private static final Logger log = LoggerFactory.getLogger(GuestApi.class);
  private static final Logger accessLog = LoggerFactory.getLogger("io.flotilla.guest.access");

  private static final String MACHINE = "flotilla.machine";
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_]+");
  private static final int MAX_LOGGED_PATH = 300;
  private static final String TEXT = "text/plain; charset=utf-8";

  private final MachineStore store;
  private final CredentialIssuer issuer;
  private final Clock clock;

  GuestHandlers(MachineStore store, CredentialIssuer issuer, Clock clock) {
    this.store = store;
    this.issuer = issuer;
    this.clock = clock;
  }

  /** Logs each request as its answer starts, with the token segment masked. */
  static void logAccess(RoutingContext ctx) {
    ctx.addHeadersEndHandler(done -> accessLog.debug("guest request method={} path={} status={}"
        + " client={}", ctx.request().method(), loggablePath(ctx),
        ctx.response().getStatusCode(), client(ctx)));
    ctx.next();
  }

  /** Finds the machine, checks the token and the state; runs on a worker. */
  void authenticate(RoutingContext ctx) {
    String machineId = ctx.pathParam("machineId");
    Optional<MachineRecord> found = store.get(machineId);
    if (found.isEmpty()) {
      respond(ctx, 404, "no such machine");
      return;
    }
    MachineRecord machine = found.get();
    if (!GuestTokens.matches(ctx.pathParam("token"), machine.tokenHash())) {
      // A token of another machine cannot be told from a guess without a scan of all records.
      log.warn("guest token refused machine={} client={} path={}",
          machineId, client(ctx), loggablePath(ctx));
      respond(ctx, 403, "forbidden");
      return;
    }
    if (machine.state() == MachineState.GONE) {
      respond(ctx, 410, "machine is gone");
      return;
    }
    ctx.put(MACHINE, machine);
    ctx.next();
  }

  /** Unmatched paths and methods: the status alone, as MJF readers expect for absent keys. */
  static void statusOnly(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 404;
    noCache(ctx.response()).setStatusCode(status).end();
  }

  static void listing(RoutingContext ctx, String directory) {
    // Without the slash a browser resolves "key" against the parent, so name the directory.
    String prefix = ctx.request().path().endsWith("/") ? "" : directory + "/";
    StringBuilder html = new StringBuilder("<html><body><ul>\n");
    for (String key : features(ctx, directory).keySet()) {
      html.append("<li><a href=\"").append(prefix).append(key).append("\">").append(key)
          .append("</a></li>\n");
    }
    html.append("</ul></body></html>\n");
    noCache(ctx.response()).putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .end(html.toString());
  }

  static void feature(RoutingContext ctx, String directory) {
    String key = ctx.pathParam("key");
    String value = KEY.matcher(key).matches() ? features(ctx, directory).get(key) : null;
    HttpServerResponse response = noCache(ctx.response());
    if (value == null) {
      response.setStatusCode(404).end();
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(value);
  }

  /** Accepts the two job outputs the manager acts on; runs on a worker. */
  void jobOutput(RoutingContext ctx) {
    switch (ctx.pathParam("name")) {
      case "heartbeat" -> heartbeat(ctx);
      case "shutdown_message" -> shutdownMessage(ctx);
      default -> respond(ctx, 403,
          "joboutputs: only heartbeat and shutdown_message are accepted");
    }
  }

  /** Hands out the machine's credential the first time only; runs on a worker. */
  void credential(RoutingContext ctx) {
    MachineRecord machine = machine(ctx);
    Instant now = clock.instant();
    boolean[] won = new boolean[1];
    // The store retries this function on a lost compare-and-set; the last run decides.
    Optional<MachineRecord> marked = update(ctx, machine.id(), current -> {
      won[0] = current.credentialIssuedAt() == null && current.state() != MachineState.GONE;
      return won[0] ? current.withCredentialIssued(now) : current;
    });
    if (marked.isEmpty()) {
      return;
    }
    if (!won[0]) {
      refuseCredential(ctx, marked.get());
      return;
    }
    sendCredential(ctx, marked.get());
  }

  /** Answers failures (body too large, unexpected errors) without echoing the path. */
  static void failure(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    if (status == 413) {
      respond(ctx, 413, "request body larger than " + GuestApi.BODY_LIMIT + " bytes");
      return;
    }
    if (status >= 500) {
      Throwable failure = ctx.failure();
      log.error("guest request failed path={} client={} reason={}", loggablePath(ctx),
          client(ctx), failure == null ? "unknown" : failure.toString());
    }
    respond(ctx, status, status >= 500 ? "internal error" : "request refused");
  }

  private void heartbeat(RoutingContext ctx) {
    Instant now = clock.instant();
    Optional<MachineRecord> after = update(ctx, machine(ctx).id(),
        current -> current.state() == MachineState.GONE ? current : current.withHeartbeat(now));
    if (after.isPresent()) {
      respondUnlessGone(ctx, after.get(), 201, "");
    }
  }

  private void shutdownMessage(RoutingContext ctx) {
    ShutdownMessage message;
    try {
      message = ShutdownMessage.parse(ctx.body().buffer() == null
          ? new byte[0] : ctx.body().buffer().getBytes());
    } catch (GuestInputException e) {
      respond(ctx, 400, e.getMessage());
      return;
    }
    boolean[] recorded = new boolean[1];
    Optional<MachineRecord> after = update(ctx, machine(ctx).id(), current -> {
      recorded[0] = current.state() != MachineState.GONE && !current.hasShutdownCode();
      return recorded[0] ? current.withShutdown(message.code(), message.text()) : current;
    });
    after.ifPresent(record -> answerShutdown(ctx, record, message, recorded[0]));
  }

  private void answerShutdown(
      RoutingContext ctx, MachineRecord record, ShutdownMessage sent, boolean recorded) {
    if (record.state() == MachineState.GONE) {
      respond(ctx, 410, "machine is gone");
      return;
    }
    if (recorded) {
      log.info("shutdown message recorded machine={} code={} text=\"{}\"",
          record.id(), sent.code(), sent.text());
      respond(ctx, 201, "");
      return;
    }
    if (record.shutdownCode() == sent.code() && sent.text().equals(record.shutdownMessage())) {
      // The same message again is a retry of a PUT whose answer was lost.
      respond(ctx, 201, "");
      return;
    }
    log.warn("shutdown message ignored, one is already recorded machine={} kept={} sent={}"
        + " client={}", record.id(), record.shutdownCode(), sent.code(), client(ctx));
    respond(ctx, 409, "shutdown_message: a message with code " + record.shutdownCode()
        + " is already recorded; the first one is kept");
  }

  private void refuseCredential(RoutingContext ctx, MachineRecord machine) {
    if (machine.state() == MachineState.GONE) {
      respond(ctx, 410, "machine is gone");
      return;
    }
    log.warn("credential refused: already fetched machine={} client={} fetchedAt={}",
        machine.id(), client(ctx), machine.credentialIssuedAt());
    respond(ctx, 410, "credential already fetched; it is handed out only once");
  }

  private void sendCredential(RoutingContext ctx, MachineRecord machine) {
    IssuedCredential proxy;
    try {
      proxy = issuer.issue(machine, client(ctx));
    } catch (RuntimeException e) {
      // The mark stays: a second proxy for the same machine must not exist, so the guest
      // cannot retry and an operator has to replace the machine.
      log.error("credential issue failed machine={} vo={} reason={}",
          machine.id(), machine.vo(), e.getMessage());
      respond(ctx, 500, "credential could not be issued; see the manager log");
      return;
    }
    // Vert.x copies the bytes into its own buffer; ours are zeroed once the write is done.
    noStore(ctx.response()).putHeader(HttpHeaders.CONTENT_TYPE, "application/x-pem-file")
        .end(Buffer.buffer(proxy.pem())).onComplete(done -> proxy.clear());
  }

  /** Runs a store update; answers 404 and returns empty if the record vanished meanwhile. */
  private Optional<MachineRecord> update(
      RoutingContext ctx, String machineId, UnaryOperator<MachineRecord> change) {
    try {
      return Optional.of(store.update(machineId, change));
    } catch (NoSuchElementException e) {
      respond(ctx, 404, "no such machine");
      return Optional.empty();
    }
  }

  private static void respondUnlessGone(
      RoutingContext ctx, MachineRecord record, int status, String body) {
    if (record.state() == MachineState.GONE) {
      respond(ctx, 410, "machine is gone");
    } else {
      respond(ctx, status, body);
    }
  }

  private static Map<String, String> features(RoutingContext ctx, String directory) {
    MachineFeatures features = MachineFeatures.of(machine(ctx));
    return GuestApi.MACHINE_FEATURES.equals(directory) ? features.machine() : features.job();
  }

  private static MachineRecord machine(RoutingContext ctx) {
    return ctx.get(MACHINE);
  }

  private static void respond(RoutingContext ctx, int status, String body) {
    noCache(ctx.response()).setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, TEXT)
        .end(body);
  }

  private static HttpServerResponse noCache(HttpServerResponse response) {
    return response.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
  }

  private static HttpServerResponse noStore(HttpServerResponse response) {
    return response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
  }

  private static String loggablePath(RoutingContext ctx) {
    String path = GuestApi.maskToken(ctx.request().path());
    return path.length() > MAX_LOGGED_PATH ? path.substring(0, MAX_LOGGED_PATH) + "..." : path;
  }

  private static String client(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    return remote == null ? "unknown" : remote.hostAddress();
  }
}
