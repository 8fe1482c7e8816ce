package io.flotilla.lifecycle;

import io.flotilla.cloudcalls.CallTimeoutException;
import io.flotilla.cloudcalls.CloudCall;
import io.flotilla.cloudcalls.CloudGate;
import io.flotilla.cloudcalls.NotSentException;
import io.flotilla.cloudcalls.TokenBucket;
import io.flotilla.config.CloudPolicy;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.ProjectQuota;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cloud provider with its own bounded pool of worker threads, so that blocking cloud calls
 * never run on an event loop and one slow cloud cannot starve the others.
 *
 * <p>Every call the manager makes to the cloud goes through here, in this order: the
 * {@link CloudGate} (a throttled cloud gets no creates, one that refused our credentials no
 * calls at all, until its pause ends; such calls fail at once with a
 * {@link NotSentException}), then the cloud's token bucket ({@code rate_limit}; a call that
 * gets no token within its timeout is not sent either), then the provider, bounded by the
 * call timeout. A call that overruns fails its Future with a {@link CallTimeoutException}
 * (TRANSIENT); its worker thread may stay inside the provider until the provider's own
 * socket timeout ends it, and holds its place in the pool meanwhile, which is what bounds a
 * hanging cloud. Its late answer is logged and dropped: a create's machine is then found by
 * its tags and deleted.
 */
public final class CloudPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CloudPool.class);
  /** How long {@link #await} waits beyond the call timeout for a place in the pool. */
  private static final Duration QUEUE_ALLOWANCE = Duration.ofMinutes(2);

  private final Vertx vertx;
  private final CloudProvider provider;
  private final WorkerExecutor workers;
  private final Duration timeout;
  private final CloudPolicy policy;
  private final CloudGate gate;
  private final Optional<TokenBucket> bucket;

  /** A pool with the default {@link CloudPolicy}; calls time out after callTimeoutSecs. */
  public CloudPool(Vertx vertx, CloudProvider provider, int concurrency, long callTimeoutSecs) {
    this(vertx, provider, concurrency, Duration.ofSeconds(callTimeoutSecs),
        CloudPolicy.defaults(), Clock.systemUTC());
  }

  /**
   * @param concurrency worker threads: calls running at once
   * @param providerTimeout the call timeout when the policy sets none: how long one
   *     operation of this provider may take
   * @param policy the site file's rate limit, timeout and pauses for this cloud
   */
  public CloudPool(Vertx vertx, CloudProvider provider, int concurrency,
      Duration providerTimeout, CloudPolicy policy, Clock clock) {
    this.vertx = vertx;
    this.provider = provider;
    this.policy = policy;
    this.timeout = policy.callTimeout().orElse(providerTimeout);
    this.workers = vertx.createSharedWorkerExecutor("flotilla-cloud-" + provider.name(),
        concurrency, Math.max(1, timeout.toSeconds()) * 2, TimeUnit.SECONDS);
    this.gate = new CloudGate(provider.name(), clock, policy.authPause(),
        () -> ThreadLocalRandom.current().nextDouble());
    this.bucket = policy.rateLimit().map(limit ->
        new TokenBucket(limit.callsPerSecond(), limit.burst(), System::nanoTime));
  }

  public String name() {
    return provider.name();
  }

  public CloudProvider provider() {
    return provider;
  }

  /** The site file's policy for this cloud. */
  public CloudPolicy policy() {
    return policy;
  }

  /** Whether creates or all calls are paused now, and why. */
  public CloudGate gate() {
    return gate;
  }

  /** How long one call may run before its Future fails. */
  public Duration callTimeout() {
    return timeout;
  }

  /**
   * The cloud's quota and usage ({@link CloudProvider#quota()}), as a {@link CloudCall#QUOTA}
   * call through the gate, the rate limit and the timeout. Blocks, as {@link #await} does.
   */
  public Optional<ProjectQuota> quota() {
    return await(CloudCall.QUOTA, provider::quota);
  }

  /** Runs {@code call} as a call of kind {@link CloudCall#OTHER}. */
  public <T> Future<T> call(Callable<T> call) {
    return call(CloudCall.OTHER, call);
  }

  /**
   * Runs {@code call} on this cloud's workers, through the gate, the rate limit and the
   * timeout. The Future fails with whatever the call threw, a {@link NotSentException} or a
   * {@link CallTimeoutException}.
   */
  public <T> Future<T> call(CloudCall kind, Callable<T> call) {
    Promise<T> answer = Promise.promise();
    workers.<T>executeBlocking(() -> send(kind, call, answer), false)
        .onComplete(done -> {
          boolean delivered = done.succeeded() ? answer.tryComplete(done.result())
              : answer.tryFail(done.cause());
          if (!delivered && done.succeeded()) {
            log.warn("cloud answered after the call timed out, answer dropped cloud={} call={}"
                + " answer={}", name(), kind.word(), done.result());
          }
        });
    return answer.future();
  }

  /**
   * As {@link #call(CloudCall, Callable)}, waiting for the answer. Blocks: call it from a
   * worker thread, never an event loop.
   *
   * @throws CloudException whatever the call failed with; other failures are wrapped as
   *     TRANSIENT
   */
  public <T> T await(CloudCall kind, Callable<T> call) {
    Duration wait = timeout.plus(QUEUE_ALLOWANCE);
    try {
      return call(kind, call).toCompletionStage().toCompletableFuture()
          .get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof CloudException cloud ? cloud
          : new CloudException(CloudException.Kind.TRANSIENT, "cloud " + name() + ": "
              + kind.word() + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new CallTimeoutException(name(), kind.word(), wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotSentException(CloudException.Kind.TRANSIENT, "cloud " + name() + ": "
          + kind.word() + " abandoned: interrupted");
    }
  }

  /** On a worker: checks the gate, takes a token, then calls the cloud under the timeout. */
  private <T> T send(CloudCall kind, Callable<T> call, Promise<T> answer) throws Exception {
    Optional<CloudGate.Pause> pause = kind == CloudCall.CREATE ? gate.createsPaused()
        : gate.callsPaused();
    if (pause.isPresent()) {
      throw new NotSentException(CloudException.Kind.TRANSIENT, "cloud " + name() + ": "
          + kind.word() + " not sent: paused until " + pause.get().until() + " ("
          + pause.get().reason() + ")");
    }
    if (bucket.isPresent() && !bucket.get().acquire(timeout)) {
      throw new NotSentException(CloudException.Kind.TRANSIENT, "cloud " + name() + ": "
          + kind.word() + " not sent: rate limit " + policy.rateLimit().orElseThrow()
          + " gave no permit within " + timeout.toMillis() + " ms");
    }
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()),
        id -> answer.tryFail(new CallTimeoutException(name(), kind.word(), timeout)));
    try {
      T result = call.call();
      gate.observe(kind, null);
      return result;
    } catch (Exception | Error e) {
      gate.observe(kind, e);
      throw e;
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  @Override
  public void close() {
    workers.close();
    provider.close();
  }
}
