package io.flotilla.emulator;

import io.flotilla.provider.sandbox.GuestHost;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays one pilot VM the way a real one behaves, over HTTP only:
 *
 * <ol>
 *   <li>reads its user-data from the metadata service (a {@link GuestHost}); if that cannot
 *       be read the VM is broken and never contacts the manager;
 *   <li>fetches its credential once (and once more, to check the manager refuses a second
 *       fetch);
 *   <li>heartbeats every {@code FLOTILLA_HEARTBEAT_SECONDS} unless it is a silent VM, and on
 *       the same tick re-reads {@code shutdowntime}: once that has passed it stops dead and
 *       leaves termination to the manager;
 *   <li>runs its simulated jobs one after another; before each it computes the time left as
 *       DIRAC does, min(jobstart_secs + wall_limit_secs, shutdowntime_job, shutdowntime) - now,
 *       and stops when the next job does not fit;
 *   <li>writes its shutdown message ({@code 300 Nothing to do} for an empty queue,
 *       {@code 200 Success} after its jobs) and powers its machine off.
 * </ol>
 *
 * <p>Not thread-safe: every method runs on the one event-loop context of its
 * {@link GuestEmulator}; waits are Vert.x timers. Never logs the credential or the guest
 * URLs (each is a capability for this machine).
 */
final class EmulatedGuest {

  /** Where a guest's life ended. */
  enum Outcome { UNREADABLE_USER_DATA, METADATA_UNAVAILABLE, POWERED_OFF, HALTED, STOPPED }

  static final String NOTHING_TO_DO = "300 Nothing to do";
  static final String SUCCESS = "200 Success";
  static final String NO_TIME_LEFT = "100 No time left for slot";
  static final String BAD_CREDENTIAL = "500 Certificate/proxy not acceptable";

  private static final Logger log = LoggerFactory.getLogger(EmulatedGuest.class);
  private static final long REQUEST_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final WebClient client;
  private final GuestHost host;
  private final String cloudId;
  private final GuestPlan plan;
  private final EmulatorCounters counters;
  private final Clock clock;
  private final Promise<Outcome> finished = Promise.promise();
  private final Promise<String> jobsOutcome = Promise.promise();
  private GuestConfig config;
  private OptionalLong wallEnd = OptionalLong.empty();
  private long tickTimer = -1;
  private long jobTimer = -1;
  private boolean stopped;

  EmulatedGuest(Vertx vertx, WebClient client, GuestHost host, String cloudId, GuestPlan plan,
      EmulatorCounters counters, Clock clock) {
    this.vertx = vertx;
    this.client = client;
    this.host = host;
    this.cloudId = cloudId;
    this.plan = plan;
    this.counters = counters;
    this.clock = clock;
  }

  /** Boots the guest; the future completes when its life ends, with how it ended. */
  Future<Outcome> start() {
    vertx.executeBlocking(() -> host.userData(cloudId), false)
        .onSuccess(this::boot)
        .onFailure(e -> {
          log.warn("guest metadata unavailable cloudId={} reason={}", cloudId, e.getMessage());
          finish(Outcome.METADATA_UNAVAILABLE);
        });
    return finished.future();
  }

  /** The emulator is closing: cancel every timer and make no further request. */
  void stop() {
    stopped = true;
    jobsOutcome.tryComplete(null);
    finish(Outcome.STOPPED);
  }

  private void boot(byte[] userData) {
    try {
      config = GuestConfig.fromUserData(userData);
    } catch (UserDataException e) {
      counters.userDataUnreadable();
      log.warn("guest user-data unreadable, guest will not contact the manager cloudId={}"
          + " reason={}", cloudId, e.getMessage());
      finish(Outcome.UNREADABLE_USER_DATA);
      return;
    }
    log.info("guest booted cloudId={} machineId={} vo={} jobs={} silent={}",
        cloudId, config.machineId(), plan.vo(), plan.jobs().size(), plan.silent());
    fetchCredential()
        .compose(ok -> ok ? guarded(this::secondFetch).compose(v -> guarded(this::work))
            : Future.succeededFuture(BAD_CREDENTIAL))
        .compose(message -> message == null ? Future.succeededFuture(Outcome.HALTED)
            : guarded(() -> sendShutdownMessage(message)).compose(v -> guarded(this::powerOff)))
        .onComplete(result -> finish(result.succeeded() ? result.result() : Outcome.STOPPED));
  }

  private Future<Boolean> fetchCredential() {
    return get(config.credentialUrl())
        .map(response -> {
          boolean ok = response.statusCode() == 200 && looksLikePem(response.bodyAsString());
          if (ok) {
            counters.credentialFetched();
            log.info("guest credential fetched machineId={}", config.machineId());
          } else {
            counters.credentialFailed();
            log.warn("guest credential refused or not PEM machineId={} status={}",
                config.machineId(), response.statusCode());
          }
          return ok;
        })
        .recover(e -> {
          counters.credentialFailed();
          log.warn("guest credential fetch failed machineId={} reason={}", config.machineId(),
              e.getMessage());
          return Future.succeededFuture(false);
        });
  }

  /** A real VM fetches once; this one tries again to prove the manager refuses (410). */
  private Future<Void> secondFetch() {
    return get(config.credentialUrl())
        .<Void>map(response -> {
          if (response.statusCode() == 410) {
            counters.secondFetchRefused();
          } else if (response.statusCode() / 100 == 2) {
            counters.secondFetchServed();
            log.warn("guest credential served twice machineId={} status={}",
                config.machineId(), response.statusCode());
          } else {
            log.warn("guest second credential fetch answered neither 410 nor 2xx machineId={}"
                + " status={}", config.machineId(), response.statusCode());
          }
          return null;
        })
        .otherwiseEmpty();
  }

  private Future<String> work() {
    tick();
    tickTimer = vertx.setPeriodic(config.heartbeat().toMillis(), id -> tick());
    return readStaticFeatures().compose(v -> {
      if (plan.jobs().isEmpty()) {
        jobsOutcome.tryComplete(NOTHING_TO_DO);
      } else {
        nextJob(0);
      }
      return jobsOutcome.future();
    });
  }

  private Future<Void> readStaticFeatures() {
    Future<OptionalLong> start = feature(config.jobFeatures(), "jobstart_secs");
    Future<OptionalLong> wall = feature(config.jobFeatures(), "wall_limit_secs");
    Future<OptionalLong> cpus = feature(config.jobFeatures(), "allocated_cpu");
    Future<String> hs06 = featureText(config.jobFeatures(), "hs06_job");
    return Future.all(start, wall, cpus, hs06).map(all -> {
      if (start.result().isPresent() && wall.result().isPresent()) {
        wallEnd = OptionalLong.of(start.result().getAsLong() + wall.result().getAsLong());
      }
      log.debug("guest job features machineId={} allocatedCpu={} hs06Job={}",
          config.machineId(), cpus.result(), hs06.result());
      return null;
    });
  }

  private void nextJob(int index) {
    if (stopped) {
      return;
    }
    if (index == plan.jobs().size()) {
      jobsOutcome.tryComplete(SUCCESS);
      return;
    }
    Duration job = plan.jobs().get(index);
    readShutdownTimes().onSuccess(shutdown -> {
      long now = clock.instant().getEpochSecond();
      if (shutdown.isPresent() && shutdown.getAsLong() <= now) {
        halt();
        return;
      }
      long left = secondsLeft(shutdown, now);
      if (left < ceilSeconds(job)) {
        log.info("guest stops, next job does not fit machineId={} secondsLeft={} jobSeconds={}",
            config.machineId(), left, ceilSeconds(job));
        jobsOutcome.tryComplete(index == 0 ? NO_TIME_LEFT : SUCCESS);
        return;
      }
      jobTimer = vertx.setTimer(Math.max(1, job.toMillis()), id -> {
        counters.jobCompleted();
        nextJob(index + 1);
      });
    });
  }

  private long secondsLeft(OptionalLong shutdown, long now) {
    long end = Long.MAX_VALUE;
    if (wallEnd.isPresent()) {
      end = wallEnd.getAsLong();
    }
    if (shutdown.isPresent()) {
      end = Math.min(end, shutdown.getAsLong());
    }
    return end == Long.MAX_VALUE ? Long.MAX_VALUE : end - now;
  }

  /** The earlier of shutdowntime and shutdowntime_job, re-read each time as DIRAC does. */
  private Future<OptionalLong> readShutdownTimes() {
    Future<OptionalLong> machine = feature(config.machineFeatures(), "shutdowntime");
    Future<OptionalLong> job = feature(config.jobFeatures(), "shutdowntime_job");
    return Future.all(machine, job).map(all -> earlier(machine.result(), job.result()));
  }

  private void tick() {
    if (stopped) {
      return;
    }
    if (!plan.silent()) {
      sendHeartbeat();
    }
    readShutdownTimes().onSuccess(shutdown -> {
      if (shutdown.isPresent() && shutdown.getAsLong() <= clock.instant().getEpochSecond()) {
        halt();
      }
    });
  }

  private void sendHeartbeat() {
    String now = Long.toString(clock.instant().getEpochSecond());
    put(config.jobOutputs() + "/heartbeat", now).onComplete(result -> {
      if (result.succeeded() && result.result().statusCode() == 201) {
        counters.heartbeatSent();
      } else {
        log.warn("guest heartbeat not accepted machineId={} status={}", config.machineId(),
            result.succeeded() ? result.result().statusCode() : result.cause().getMessage());
      }
    });
  }

  /** shutdowntime has passed: a real VM is being shut down now; the manager terminates it. */
  private void halt() {
    if (stopped) {
      return;
    }
    stopped = true;
    counters.halted();
    log.info("guest passed its shutdowntime, halting machineId={}", config.machineId());
    cancelTimers();
    jobsOutcome.tryComplete(null);
  }

  private Future<Void> sendShutdownMessage(String message) {
    cancelTimers();
    return put(config.jobOutputs() + "/shutdown_message", message)
        .<Void>map(response -> {
          if (response.statusCode() == 201) {
            counters.shutdownMessageSent(cloudId, message);
            log.info("guest shutdown message sent machineId={} message={}",
                config.machineId(), message);
          } else {
            log.warn("guest shutdown message not accepted machineId={} status={}",
                config.machineId(), response.statusCode());
          }
          return null;
        })
        .recover(e -> {
          log.warn("guest shutdown message failed machineId={} reason={}", config.machineId(),
              e.getMessage());
          return Future.succeededFuture();
        });
  }

  private Future<Outcome> powerOff() {
    return vertx.executeBlocking(() -> {
      host.powerOff(cloudId);
      return Outcome.POWERED_OFF;
    }, false).onSuccess(outcome -> {
      counters.poweredOff();
      log.info("guest powered off machineId={}", config.machineId());
    }).recover(e -> {
      log.warn("guest power-off failed machineId={} reason={}", config.machineId(),
          e.getMessage());
      return Future.succeededFuture(Outcome.STOPPED);
    });
  }

  private Future<OptionalLong> feature(String base, String key) {
    return get(base + "/" + key)
        .map(response -> response.statusCode() / 100 == 2
            ? parseFeature(key, response.bodyAsString()) : OptionalLong.empty())
        .otherwise(OptionalLong.empty());
  }

  /** A value that need not be a whole number (hs06_job); empty when absent. */
  private Future<String> featureText(String base, String key) {
    return get(base + "/" + key)
        .map(response -> response.statusCode() / 100 == 2 && response.bodyAsString() != null
            ? response.bodyAsString().strip() : "")
        .otherwise("");
  }

  private OptionalLong parseFeature(String key, String body) {
    String value = body == null ? "" : body.strip();
    try {
      return OptionalLong.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      log.warn("guest ignores malformed machine/job feature machineId={} key={} length={}",
          config.machineId(), key, value.length());
      return OptionalLong.empty();
    }
  }

  private Future<HttpResponse<Buffer>> get(String url) {
    return client.getAbs(url).timeout(REQUEST_TIMEOUT_MS).send();
  }

  private Future<HttpResponse<Buffer>> put(String url, String body) {
    return client.putAbs(url)
        .timeout(REQUEST_TIMEOUT_MS)
        .putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer(body));
  }

  private <T> Future<T> guarded(Supplier<Future<T>> step) {
    return stopped ? Future.failedFuture("guest stopped") : step.get();
  }

  private void finish(Outcome outcome) {
    cancelTimers();
    finished.tryComplete(outcome);
  }

  private void cancelTimers() {
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
      tickTimer = -1;
    }
    if (jobTimer >= 0) {
      vertx.cancelTimer(jobTimer);
      jobTimer = -1;
    }
  }

  private static boolean looksLikePem(String body) {
    return body != null && body.contains("-----BEGIN ") && body.contains("-----END ");
  }

  private static long ceilSeconds(Duration duration) {
    return (duration.toMillis() + 999) / 1000;
  }

  private static OptionalLong earlier(OptionalLong a, OptionalLong b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return OptionalLong.of(Math.min(a.getAsLong(), b.getAsLong()));
  }
}
