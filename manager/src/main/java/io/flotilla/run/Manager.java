package io.flotilla.run;

import io.flotilla.accounting.AccountingLog;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.config.SiteConfig.SubscriptionConfig;
import io.flotilla.config.VoConfig;
import io.flotilla.control.Backoff;
import io.flotilla.control.MachinePlanner;
import io.flotilla.control.Reconciler;
import io.flotilla.credentials.CredentialIssuer;
import io.flotilla.credentials.RobotCredential;
import io.flotilla.credentials.TraceabilityLog;
import io.flotilla.emulator.EmulatorOptions;
import io.flotilla.emulator.GuestEmulator;
import io.flotilla.guest.GuestApi;
import io.flotilla.lifecycle.CloudPool;
import io.flotilla.lifecycle.Lifecycle;
import io.flotilla.lifecycle.TransitionLog;
import io.flotilla.provider.sandbox.SandboxCloud;
import io.flotilla.provider.sandbox.SandboxOptions;
import io.flotilla.state.Cluster;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineStore;
import io.flotilla.trust.NamespaceMode;
import io.flotilla.trust.ReloadingCaDirectory;
import io.flotilla.trust.ImageCatalog;
import io.flotilla.trust.ImageListFetcher;
import io.flotilla.trust.ImageListVerifier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running manager: joins the cluster, serves the guest API, keeps the image catalog
 * fresh, and runs reconcile passes. Built from a validated {@link SiteConfig}; everything
 * that can be refused (CA directory, robot certificates, templates, cloud options) is
 * checked in {@link #start} before any machine is planned.
 */
public final class Manager {
  private static final Logger log = LoggerFactory.getLogger(Manager.class);
  /** How often the CA directory is checked for new or changed CA and CRL files. */
  private static final Duration CA_RELOAD_CHECK = Duration.ofMinutes(1);

  private final SiteConfig config;
  private final Clock clock;
  private final Cluster cluster;
  private final MachineStore store;
  private final TransitionLog transitions = new TransitionLog();
  private final Map<String, CloudPool> clouds = new LinkedHashMap<>();
  private final List<GuestEmulator> emulators = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();
  private final AtomicBoolean passRunning = new AtomicBoolean();
  private AccountingLog accounting;
  private CredentialIssuer guestIssuer;
  private TraceabilityLog traceability;
  private ImageCatalog catalog;
  private Lifecycle lifecycle;
  private Reconciler reconciler;
  private HttpServer guestServer;
  private WorkerExecutor reconcileWorker;

  private Manager(SiteConfig config, Clock clock, Cluster cluster) {
    this.config = config;
    this.clock = clock;
    this.cluster = cluster;
    this.store = cluster.machines();
  }

  /**
   * Starts a manager and returns once it serves the guest API and runs passes. Blocks: call
   * it from a plain thread, never an event loop.
   *
   * @throws Exception naming what was refused (CA directory, robot certificate, template,
   *     cloud options, a port in use); the manager has then left the cluster again
   */
  public static Manager start(SiteConfig config, Clock clock) throws Exception {
    Cluster cluster = await(Cluster.join(config.site(), config.cluster()));
    Manager manager = new Manager(config, clock, cluster);
    try {
      manager.build();
      await(manager.listen());
      return manager;
    } catch (Exception e) {
      manager.stopQuietly();
      throw e;
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private void build() throws java.io.IOException {
    java.nio.file.Files.createDirectories(config.stateDir());
    accounting = new AccountingLog(config.stateDir().resolve("accounting.jsonl"));
    traceability = new TraceabilityLog(config.stateDir().resolve("credentials.jsonl"));
    CredentialIssuer issuer = new CredentialIssuer(robots(), traceability, clock);
    ReloadingCaDirectory caDirectory =
        new ReloadingCaDirectory(config.trust().caDir(), CA_RELOAD_CHECK, clock);
    caDirectory.get();
    catalog = new ImageCatalog(new ImageListVerifier(caDirectory, clock,
        config.trust().clockSkew(), NamespaceMode.ALLOW_MISSING), config,
        new ImageListFetcher(), clock);
    config.imageLists().forEach(catalog::refresh);
    MachinePlanner planner = new MachinePlanner(config, clock);
    openClouds();
    Backoff backoff = new Backoff(cluster.map("flotilla.backoff"));
    lifecycle = new Lifecycle(store, clouds, transitions, clock, config.lifecycle(),
        this::machineEnded);
    reconciler = new Reconciler(config, store, lifecycle, clouds, catalog, backoff, planner,
        clock, cluster::leads);
    guestIssuer = issuer;
  }

  private Map<String, RobotCredential> robots() {
    Map<String, RobotCredential> robots = new LinkedHashMap<>();
    for (VoConfig vo : config.vos()) {
      RobotCredential robot = RobotCredential.load(vo.robotCertificate(), vo.robotKey(), clock);
      Duration left = robot.timeUntilExpiry(clock.instant());
      if (left.compareTo(Duration.ofDays(14)) < 0) {
        log.warn("robot certificate expires soon vo={} file={} expires={}", vo.name(),
            vo.robotCertificate(), robot.notAfter());
      }
      robots.put(vo.name(), robot);
    }
    return robots;
  }

  private void openClouds() {
    for (CloudConfig cloud : config.clouds()) {
      if (!"sandbox".equals(cloud.type())) {
        throw new IllegalArgumentException(config.source() + ": clouds." + cloud.name()
            + ".type: cloud type '" + cloud.type() + "' is not supported by this version;"
            + " use sandbox");
      }
      SandboxCloud sandbox = new SandboxCloud(cloud.name(), SandboxOptions.fromMap(
          cloud.options()));
      clouds.put(cloud.name(), new CloudPool(cluster.vertx(), sandbox, 8, 120));
      emulators.add(new GuestEmulator(cluster.vertx(), sandbox,
          EmulatorOptions.fromMap(cloud.emulator())));
    }
  }

  /** Writes the usage record of a machine that reached GONE. */
  private void machineEnded(MachineRecord machine) {
    accounting.append(machine);
  }

  private Future<Manager> listen() {
    Vertx vertx = cluster.vertx();
    return vertx.createHttpServer()
        .requestHandler(GuestApi.router(vertx, store, guestIssuer, clock))
        .listen(config.guestApi().port(), config.guestApi().bindHost())
        .map(server -> {
          guestServer = server;
          log.info("guest API listening bind={}:{} advertised={}", config.guestApi().bindHost(),
              server.actualPort(), config.guestApi().advertisedUrl());
          startTimers();
          return this;
        });
  }

  private void startTimers() {
    Vertx vertx = cluster.vertx();
    reconcileWorker = vertx.createSharedWorkerExecutor("flotilla-reconciler", 1);
    timers.add(vertx.setPeriodic(0, config.lifecycle().cycle().toMillis(), id -> runPass()));
    for (SubscriptionConfig list : config.imageLists()) {
      long every = list.refresh().toMillis();
      timers.add(vertx.setPeriodic(every, every,
          id -> vertx.executeBlocking(() -> catalog.refresh(list), false)));
    }
    emulators.forEach(GuestEmulator::start);
  }

  private void runPass() {
    if (!passRunning.compareAndSet(false, true)) {
      return;
    }
    reconcileWorker.executeBlocking(() -> {
      reconciler.pass();
      return null;
    }, true).onComplete(done -> {
      passRunning.set(false);
      if (done.failed()) {
        log.error("reconcile pass failed, will retry next cycle", done.cause());
      }
    });
  }

  public int guestPort() {
    return guestServer.actualPort();
  }

  public MachineStore machines() {
    return store;
  }

  public TransitionLog transitions() {
    return transitions;
  }

  public Lifecycle lifecycle() {
    return lifecycle;
  }

  public Map<String, CloudPool> clouds() {
    return clouds;
  }

  public List<GuestEmulator> emulators() {
    return emulators;
  }

  public AccountingLog accounting() {
    return accounting;
  }

  public Vertx vertx() {
    return cluster.vertx();
  }

  /** Stops timers, emulated guests and servers, then leaves the cluster. Blocks. */
  public void stop() throws Exception {
    timers.forEach(cluster.vertx()::cancelTimer);
    for (GuestEmulator emulator : emulators) {
      await(emulator.close());
    }
    if (guestServer != null) {
      await(guestServer.close());
    }
    clouds.values().forEach(CloudPool::close);
    if (traceability != null) {
      traceability.close();
    }
    await(cluster.leave());
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (Exception e) {
      log.warn("clean-up after a failed start was incomplete: {}", e.toString());
    }
  }
}
