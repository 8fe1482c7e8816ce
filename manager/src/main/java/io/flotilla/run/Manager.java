package io.flotilla.run;

import io.flotilla.accounting.AccountingLog;
import io.flotilla.accounting.ApelAccounting;
import io.flotilla.config.ConfigException;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.VoConfig;
import io.flotilla.config.SiteConfig.SubscriptionConfig;
import io.flotilla.control.Backoff;
import io.flotilla.control.DemandBook;
import io.flotilla.control.MachinePlanner;
import io.flotilla.control.PlanInputs;
import io.flotilla.control.Reconciler;
import io.flotilla.control.ReportedQuotas;
import io.flotilla.credentials.CredentialIssuer;
import io.flotilla.credentials.CredentialSources;
import io.flotilla.credentials.RobotExpiryMonitor;
import io.flotilla.credentials.TraceabilityLog;
import io.flotilla.emulator.GuestEmulator;
import io.flotilla.guest.GuestServer;
import io.flotilla.images.CloudImages;
import io.flotilla.images.ImageCache;
import io.flotilla.images.ImageDistributor;
import io.flotilla.lifecycle.CloudPool;
import io.flotilla.lifecycle.DrainBook;
import io.flotilla.lifecycle.Lifecycle;
import io.flotilla.lifecycle.TransitionLog;
import io.flotilla.metrics.Metrics;
import io.flotilla.metrics.MetricsServer;
import io.flotilla.provider.ImageDelivery;
import io.flotilla.state.Cluster;
import io.flotilla.context.ContextException;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import io.flotilla.state.MachineStore;
import io.flotilla.state.RecordSeal;
import io.flotilla.trust.NamespaceMode;
import io.flotilla.trust.TrustException;
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
import java.util.Optional;
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
  /** How often records of long-finished machines are looked for and removed. */
  private static final Duration PRUNE_INTERVAL = Duration.ofMinutes(1);
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
  private final Metrics metrics = new Metrics();
  private AccountingLog accounting;
  private ApelAccounting apel;
  private DemandBook demand;
  private CredentialIssuer guestIssuer;
  private TraceabilityLog traceability;
  private ImageCatalog catalog;
  private ImageDistributor images;
  private Lifecycle lifecycle;
  private Reconciler reconciler;
  private HttpServer guestServer;
  private HttpServer metricsServer;
  private RobotExpiryMonitor robotExpiry;
  private WorkerExecutor reconcileWorker;

  private Manager(SiteConfig config, Clock clock, Cluster cluster) {
    this.config = config;
    this.clock = clock;
    this.cluster = cluster;
    this.store = cluster.machines(RecordSeal.fromFile(config.cluster().secretFile()));
  }

  /**
   * Starts a manager and returns once it serves the guest API and runs passes. Blocks: call
   * it from a plain thread, never an event loop.
   *
   * @throws Exception naming what was refused (CA directory, robot certificate, template,
   *     cloud options, a port in use); the manager has then left the cluster again
   */
  public static Manager start(SiteConfig config, Clock clock) throws Exception {
    GuestPort.checkFree(config);
    Cluster cluster = await(Cluster.join(config.cluster()));
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
    CredentialSources credentials = CredentialSources.forSite(config, clock);
    CredentialIssuer issuer =
        CredentialIssuer.withSources(credentials.sources(), traceability, clock);
    robotExpiry = new RobotExpiryMonitor(credentials.robots(),
        config.credentials().expiryWarning(), clock, metrics.registry());
    robotExpiry.check();
    ReloadingCaDirectory caDirectory =
        new ReloadingCaDirectory(config.trust().caDir(), CA_RELOAD_CHECK, clock);
    try {
      caDirectory.get();
    } catch (TrustException e) {
      throw refused("trust.ca_dir", e);
    }
    openClouds();
    CloudImages cloudImages =
        new CloudImages(config.clouds(), cluster.map("flotilla.image-deliveries"));
    images = new ImageDistributor(ImageDistributor.cloudsByImage(config.vos()),
        ImageCache.open(config.stateDir().resolve("images")), cloudImages,
        this::imageDelivery, cluster::leads);
    catalog = new ImageCatalog(new ImageListVerifier(caDirectory, clock,
        config.trust().clockSkew(), NamespaceMode.ALLOW_MISSING), config,
        new ImageListFetcher(), clock, images);
    config.imageLists().forEach(catalog::refresh);
    images.sync();
    reportUnendorsedImages();
    MachinePlanner planner;
    try {
      planner = new MachinePlanner(config, clock, cloudImages);
    } catch (ContextException e) {
      throw refused("vos", e);
    }
    Backoff backoff = new Backoff(cluster.map("flotilla.backoff"));
    DrainBook drains = new DrainBook(cluster.map("flotilla.drains"),
        config.control().imageRevocation());
    lifecycle = new Lifecycle(store, clouds, transitions, clock, config.lifecycle(),
        this::machinesEnded, drains, PlanInputs.endRules(config));
    demand = new DemandBook(cluster.map("flotilla.demand"), config.control());
    apel = ApelAccounting.open(config, clock);
    reconciler = new Reconciler(config, new Reconciler.Parts(store, lifecycle, clouds, catalog,
        backoff, planner, demand, drains,
        new ReportedQuotas(clouds, PlanInputs.QuotaSource.fromOptions())), clock,
        cluster::leads);
    reconciler.quotaClamps().bindTo(metrics.registry());
    guestIssuer = issuer;
  }

  private ConfigException refused(String field, RuntimeException e) {
    return new ConfigException(List.of(config.source() + ": " + field + ": " + e.getMessage()));
  }

  /** A VO whose image no list vouches for gets no machine: say so once, loudly, at start. */
  private void reportUnendorsedImages() {
    for (VoConfig vo : config.vos()) {
      if (catalog.launchable(vo.image()).isEmpty()) {
        log.error("no machine will start for this VO until its image is endorsed vo={}"
            + " image={} reason=not in any verified, unexpired image list", vo.name(),
            vo.image());
      }
    }
  }

  /**
   * Removes records of machines that ended long ago and are accounted for, so the shared
   * map (read whole every pass) holds live machines and recent history only.
   */
  private void pruneFinished() {
    if (!cluster.leads()) {
      return;
    }
    Instant before = clock.instant().minus(config.lifecycle().keepFinished());
    for (MachineRecord machine : store.all()) {
      if (machine.state() == MachineState.GONE && machine.accounted()
          && machine.endedAt() != null && machine.endedAt().isBefore(before)) {
        store.remove(machine.id());
      }
    }
  }

  private Void pruneQuietly() {
    try {
      pruneFinished();
    } catch (RuntimeException e) {
      log.warn("pruning finished machine records failed, will retry: {}", e.toString());
    }
    return null;
  }

  private void openClouds() {
    for (CloudProviders.OpenedCloud cloud : CloudProviders.openAll(config)) {
      clouds.put(cloud.provider().name(), new CloudPool(cluster.vertx(), cloud.provider(),
          cloud.concurrency(), cloud.operationTime(),
          config.cloud(cloud.provider().name()).orElseThrow().policy(), clock));
      cloud.guests().ifPresent(guests -> emulators.add(
          new GuestEmulator(cluster.vertx(), guests.host(), guests.options())));
    }
  }

  /** The upload interface of a cloud whose provider has one. */
  private Optional<ImageDelivery> imageDelivery(String cloud) {
    return Optional.ofNullable(clouds.get(cloud)).map(CloudPool::provider)
        .filter(ImageDelivery.class::isInstance).map(ImageDelivery.class::cast);
  }

  /** Writes the usage records of machines that reached GONE, in one batch. */
  private void machinesEnded(List<MachineRecord> machines) {
    machines.forEach(accounting::append);
    if (apel != null) {
      apel.write(machines);
    }
  }

  private Future<Manager> listen() {
    Vertx vertx = cluster.vertx();
    Future<HttpServer> metricsListening = config.metrics().enabled()
        ? MetricsServer.start(vertx, config.metrics(), metrics)
            .onSuccess(server -> metricsServer = server)
        : Future.succeededFuture();
    return metricsListening
        .compose(ignored -> GuestServer.listen(vertx, config, store, guestIssuer, clock))
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
    long prune = PRUNE_INTERVAL.toMillis();
    timers.add(vertx.setPeriodic(prune, prune,
        id -> vertx.executeBlocking(this::pruneQuietly, false)));
    long expiryCheck = RobotExpiryMonitor.CHECK_INTERVAL.toMillis();
    timers.add(vertx.setPeriodic(expiryCheck, expiryCheck,
        id -> vertx.executeBlocking(robotExpiry::check, false)));
    for (SubscriptionConfig list : config.imageLists()) {
      long every = list.refresh().toMillis();
      timers.add(vertx.setPeriodic(every, every,
          id -> vertx.executeBlocking(() -> refreshList(list), false)));
    }
    emulators.forEach(GuestEmulator::start);
  }

  private boolean refreshList(SubscriptionConfig list) {
    boolean changed = catalog.refresh(list);
    images.sync();
    return changed;
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

  public ImageCatalog catalog() {
    return catalog;
  }

  /** Which image reference each cloud launches for an endorsed image. */
  public CloudImages cloudImages() {
    return images.cloudImages();
  }

  public AccountingLog accounting() {
    return accounting;
  }

  /** APEL records of this site, or null when {@code accounting.apel_dir} is not set. */
  public ApelAccounting apel() {
    return apel;
  }

  /** What VOs asked for; the REST API will write here. */
  public DemandBook demand() {
    return demand;
  }

  public Reconciler reconciler() {
    return reconciler;
  }

  /** The manager's metrics registry; register meters on {@code metrics().registry()}. */
  public Metrics metrics() {
    return metrics;
  }

  /** The port the metrics listener took, or -1 when it is off. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.actualPort();
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
    if (metricsServer != null) {
      await(metricsServer.close());
    }
    if (images != null) {
      images.close();
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
