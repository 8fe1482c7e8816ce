package io.flotilla.lifecycle;

import io.flotilla.provider.CloudProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A cloud provider with its own bounded pool of worker threads, so that blocking cloud calls
 * never run on an event loop and one slow cloud cannot starve the others.
 */
public final class CloudPool implements AutoCloseable {
  private final CloudProvider provider;
  private final WorkerExecutor workers;

  public CloudPool(Vertx vertx, CloudProvider provider, int concurrency, long callTimeoutSecs) {
    this.provider = provider;
    this.workers = vertx.createSharedWorkerExecutor(
        "flotilla-cloud-" + provider.name(), concurrency, callTimeoutSecs, TimeUnit.SECONDS);
  }

  public String name() {
    return provider.name();
  }

  public CloudProvider provider() {
    return provider;
  }

  /** Runs {@code call} on this cloud's workers; the Future fails with whatever it threw. */
  public <T> Future<T> call(Callable<T> call) {
    return workers.executeBlocking(call, false);
  }

  @Override
  public void close() {
    workers.close();
    provider.close();
  }
}
