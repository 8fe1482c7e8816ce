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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

  private static final int RETRY_AFTER_SECONDS = 60;

  private final MachineStore store;
  private final CredentialIssuer issuer;
  private final Clock clock;
  private final JobOutputs outputs;
  private final TokenOwners owners;

  GuestHandlers(MachineStore store, CredentialIssuer issuer, Clock clock, JobOutputs outputs) {
    this.store = store;
    this.issuer = issuer;
    this.clock = clock;
    this.outputs = outputs;
    this.owners = new TokenOwners(store, clock);
  }

  /**
   * Makes the body of a job-output PUT plain bytes whatever its content type: guests write
   * files with plain PUTs, and {@code curl -d} or Python's {@code urlopen(data=...)} label
   * them as forms, which would otherwise be parsed as form fields with their own limits.
   */
  static void plainBody(RoutingContext ctx) {
    ctx.request().headers().remove(HttpHeaders.CONTENT_TYPE);
    ctx.next();
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
    String token = ctx.pathParam("token");
    if (!GuestTokens.matches(token, machine.tokenHash())) {
      String owner = owners.owner(GuestTokens.hash(token)).orElse("none");
      log.warn("guest token refused machine={} tokenOwner={} client={} path={}",
          machineId, owner, client(ctx), loggablePath(ctx));
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

  /** Accepts the job outputs the manager acts on and those the site allows; on a worker. */
  void jobOutput(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Optional<String> refusal = outputs.refusal(name);
    if (refusal.isPresent()) {
      respond(ctx, 403, refusal.get());
      return;
    }
    byte[] body = body(ctx);
    if (JobOutputs.BUILT_IN.contains(name) && body.length > GuestApi.BODY_LIMIT) {
      respond(ctx, 413, "request body larger than " + GuestApi.BODY_LIMIT + " bytes");
      return;
    }
    switch (name) {
      case "heartbeat" -> heartbeat(ctx, body);
      case "shutdown_message" -> shutdownMessage(ctx, body);
      default -> otherOutput(ctx, name, body);
    }
  }

  /** Hands out the machine's credential the first time only; runs on a worker. */
  void credential(RoutingContext ctx) {
    MachineRecord machine = machine(ctx);
    Instant now = clock.instant();
    boolean[] won = new boolean[1];
    // The store retries this function on a lost compare-and-set; the last run decides.
    Optional<MachineRecord> marked = update(ctx, machine.id(), current -> {
      won[0] = current.credentialIssuedAt() == null && current.state().isLive();
      return won[0] ? current.withCredentialIssued(now) : current;
    });
    if (marked.isEmpty()) {
      return;
    }
    if (!won[0]) {
      refuseCredential(ctx, marked.get());
      return;
    }
    sendCredential(ctx, marked.get(), now);
  }

  /** Answers failures (body too large, unexpected errors) without echoing the path. */
  static void failure(RoutingContext ctx, int bodyLimit) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    if (status == 413) {
      respond(ctx, 413, "request body larger than " + bodyLimit + " bytes");
      return;
    }
    if (status >= 500) {
      Throwable failure = ctx.failure();
      log.error("guest request failed path={} client={} reason={}", loggablePath(ctx),
          client(ctx), failure == null ? "unknown" : failure.toString());
    }
    respond(ctx, status, status >= 500 ? "internal error" : "request refused");
  }

  private void heartbeat(RoutingContext ctx, byte[] body) {
    Instant now = clock.instant();
    Optional<MachineRecord> after = update(ctx, machine(ctx).id(),
        current -> current.state() == MachineState.GONE ? current : current.withHeartbeat(now));
    if (after.isPresent() && after.get().state() != MachineState.GONE) {
      keepBuiltIn(after.get(), "heartbeat", body);
    }
    after.ifPresent(record -> respondUnlessGone(ctx, record, 201, ""));
  }

  private void otherOutput(RoutingContext ctx, String name, byte[] body) {
    MachineRecord machine = machine(ctx);
    try {
      outputs.store(machine.id(), name, body);
    } catch (GuestInputException e) {
      respond(ctx, 403, e.getMessage());
      return;
    } catch (IOException e) {
      log.error("job output not stored machine={} name={} reason={}", machine.id(), name,
          e.toString());
      respond(ctx, 500, "job output could not be stored");
      return;
    }
    respond(ctx, 201, "");
  }

  /** Keeps a copy of heartbeat or shutdown_message; the recorded fact matters more. */
  private void keepBuiltIn(MachineRecord machine, String name, byte[] body) {
    try {
      outputs.store(machine.id(), name, body);
    } catch (IOException | GuestInputException e) {
      log.warn("job output copy not kept machine={} name={} reason={}", machine.id(), name,
          e.getMessage());
    }
  }

  private static byte[] body(RoutingContext ctx) {
    return ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
  }

  private void shutdownMessage(RoutingContext ctx, byte[] body) {
    ShutdownMessage message;
    try {
      message = ShutdownMessage.parse(body);
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
          record.id(), sent.code(), quoted(sent.text()));
      keepBuiltIn(record, "shutdown_message",
          (sent.code() + " " + sent.text() + "\n").getBytes(StandardCharsets.UTF_8));
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
    if (!machine.state().isLive()) {
      // A machine being deleted gets no credential: it could outlive the record it serves.
      log.warn("credential refused: machine is ending machine={} state={} client={}",
          machine.id(), machine.state(), client(ctx));
      respond(ctx, 410, "machine is ending; no credential is handed out");
      return;
    }
    log.warn("credential refused: already fetched machine={} client={} fetchedAt={}",
        machine.id(), client(ctx), machine.credentialIssuedAt());
    respond(ctx, 410, "credential already fetched; it is handed out only once");
  }

  private void sendCredential(RoutingContext ctx, MachineRecord machine, Instant claimed) {
    IssuedCredential credential;
    try {
      credential = issuer.issue(machine, client(ctx));
    } catch (RuntimeException e) {
      if (issuer.retryable(machine.vo())) {
        releaseClaim(ctx, machine, claimed, e);
        return;
      }
      // The mark stays: a second proxy for the same machine must not exist, so the guest
      // cannot retry and an operator has to replace the machine.
      log.error("credential issue failed machine={} vo={} reason={}",
          machine.id(), machine.vo(), e.getMessage());
      respond(ctx, 500, "credential could not be issued; see the manager log");
      return;
    }
    // Vert.x copies the bytes into its own buffer; ours are zeroed once the write is done.
    noStore(ctx.response()).putHeader(HttpHeaders.CONTENT_TYPE, credential.kind().contentType())
        .end(Buffer.buffer(credential.content())).onComplete(done -> credential.clear());
  }

  /** A token request failed before anything was granted: the guest may fetch again. */
  private void releaseClaim(
      RoutingContext ctx, MachineRecord machine, Instant claimed, RuntimeException failure) {
    try {
      store.update(machine.id(), current -> claimed.equals(current.credentialIssuedAt())
          ? current.withCredentialIssued(null) : current);
    } catch (NoSuchElementException e) {
      // The record vanished meanwhile; there is nothing left to fetch for.
    }
    log.warn("credential issue failed, the guest may retry machine={} vo={} reason={}",
        machine.id(), machine.vo(), failure.getMessage());
    noCache(ctx.response()).putHeader("Retry-After",
        Integer.toString(RETRY_AFTER_SECONDS));
    respond(ctx, 503, "credential temporarily unavailable; retry later");
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

  /**
   * The path for logs: the machine id, never the token. It is rebuilt from the routed
   * machine id and the normalised path, because a raw path with {@code ..}, {@code //} or
   * percent-escapes can put the token anywhere; an unrouted path is not logged at all.
   */
  private static String loggablePath(RoutingContext ctx) {
    String machineId = ctx.pathParam("machineId");
    if (machineId == null) {
      return "(not a guest URL, " + ctx.request().path().length() + " characters)";
    }
    String root = GuestApi.MACHINES + machineId + "/";
    String path = ctx.normalizedPath();
    int tokenEnd = path.startsWith(root) ? path.indexOf('/', root.length()) : -1;
    String rest = tokenEnd < 0 ? "" : path.substring(tokenEnd);
    String masked = root + GuestApi.MASK + rest;
    return masked.length() > MAX_LOGGED_PATH
        ? masked.substring(0, MAX_LOGGED_PATH) + "..." : masked;
  }

  /** Text a guest sent, safe inside a quoted log field: quotes and backslashes escaped. */
  static String quoted(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String client(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    return remote == null ? "unknown" : remote.hostAddress();
  }
}
