package io.flotilla.guest;

import io.flotilla.credentials.CredentialIssuer;
import io.flotilla.state.MachineStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;

/**
 * The HTTP API machines call, as a Vert.x Web {@link Router} to mount on the guest listener.
 *
 * <p>Every URL is a capability URL {@code /machines/{machineId}/{token}/...}: Machine/Job
 * Features readers (DIRAC, glideinWMS) send no headers, so the secret has to be in the path.
 * Under that prefix:
 * <ul>
 *   <li>{@code GET machinefeatures[/]}, {@code GET jobfeatures[/]}: HTML key listing;
 *   <li>{@code GET machinefeatures/{key}}, {@code GET jobfeatures/{key}}: the bare value
 *       ({@code text/plain}, no newline), or 404 with an empty body if the key is absent;
 *   <li>{@code PUT joboutputs/heartbeat}: records a heartbeat, 201;
 *   <li>{@code PUT joboutputs/shutdown_message}: records the guest's shutdown code, 201, or
 *       400 with the reason; a different second message gets 409 and the first is kept;
 *   <li>{@code PUT joboutputs/<name>} for a name the site allows ({@link JobOutputs}):
 *       stored, 201; another name 403; there is no GET on job outputs;
 *   <li>{@code GET credential}: the machine's proxy (PEM) or token (bare text), once; later
 *       fetches get 410. A token request that fails answers 503 with {@code Retry-After}
 *       and leaves the fetch unspent; a proxy that fails to mint answers 500 and spends it.
 * </ul>
 * An unknown machine gets 404, a wrong token 403 (logged with the machine id, the id of the
 * machine the token belongs to if any, and the client; never the token), a machine in state
 * GONE 410, a heartbeat or shutdown message over {@value #BODY_LIMIT} bytes or another output
 * over the site's {@code max_bytes} 413.
 *
 * <p>Handlers that touch the {@link MachineStore} or mint credentials run as unordered
 * blocking handlers (on the worker pool), so concurrent requests do not queue behind each
 * other and the event loop never waits on the store.
 */
public final class GuestApi {
  /** Largest accepted job output body, in bytes. */
  public static final int BODY_LIMIT = 4096;

  static final String MACHINE_ROOT = "/machines/:machineId/:token";
  static final String MACHINE_FEATURES = "machinefeatures";
  static final String JOB_FEATURES = "jobfeatures";
  static final String MACHINES = "/machines/";
  static final String MASK = "***";

  private GuestApi() {}

  /**
   * Builds the guest router.
   *
   * @param vertx the Vert.x instance the router runs on
   * @param store where machine records are read and facts recorded
   * @param issuer mints the one-time credential
   * @param clock the time for heartbeats and credential marks
   */
  public static Router router(
      Vertx vertx, MachineStore store, CredentialIssuer issuer, Clock clock) {
    return router(vertx, store, issuer, clock, JobOutputs.builtInOnly());
  }

  /**
   * Builds the guest router, keeping job outputs in {@code outputs}.
   *
   * @see #router(Vertx, MachineStore, CredentialIssuer, Clock)
   */
  public static Router router(Vertx vertx, MachineStore store, CredentialIssuer issuer,
      Clock clock, JobOutputs outputs) {
    GuestHandlers handlers = new GuestHandlers(store, issuer, clock, outputs);
    Router router = Router.router(vertx);
    router.route().handler(GuestHandlers::logAccess);
    int bodyLimit = Math.max(BODY_LIMIT, outputs.maxBytes());
    router.put(MACHINE_ROOT + "/joboutputs/*").handler(GuestHandlers::plainBody);
    router.put(MACHINE_ROOT + "/joboutputs/*")
        .handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    router.route(MACHINE_ROOT + "/*").blockingHandler(handlers::authenticate, false);
    for (String directory : new String[] {MACHINE_FEATURES, JOB_FEATURES}) {
      String path = MACHINE_ROOT + "/" + directory;
      // An exact Vert.x route also matches the path with a trailing slash.
      router.get(path).handler(ctx -> GuestHandlers.listing(ctx, directory));
      router.get(path + "/:key").handler(ctx -> GuestHandlers.feature(ctx, directory));
    }
    router.put(MACHINE_ROOT + "/joboutputs/:name").blockingHandler(handlers::jobOutput, false);
    router.get(MACHINE_ROOT + "/credential").blockingHandler(handlers::credential, false);
    router.route().failureHandler(ctx -> GuestHandlers.failure(ctx, bodyLimit));
    router.errorHandler(404, GuestHandlers::statusOnly);
    router.errorHandler(405, GuestHandlers::statusOnly);
    return router;
  }

  /** The path prefix of one machine's guest URLs, e.g. {@code /machines/m-1/<token>}. */
  static String machineRoot(String machineId, String token) {
    return MACHINES + machineId + "/" + token;
  }

  /**
   * {@code pathOrUrl} with the token segment of a guest URL replaced by {@code ***}, for logs
   * and {@code toString()}. Text without a guest URL is returned unchanged.
   */
  public static String maskToken(String pathOrUrl) {
    int idStart = pathOrUrl.indexOf(MACHINES);
    if (idStart < 0) {
      return pathOrUrl;
    }
    int tokenStart = pathOrUrl.indexOf('/', idStart + MACHINES.length()) + 1;
    if (tokenStart == 0) {
      return pathOrUrl;
    }
    int tokenEnd = pathOrUrl.indexOf('/', tokenStart);
    String rest = tokenEnd < 0 ? "" : pathOrUrl.substring(tokenEnd);
    return pathOrUrl.substring(0, tokenStart) + MASK + rest;
  }
}
