package io.flotilla.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.cloudcalls.CallTimeoutException;
import io.flotilla.cloudcalls.CloudCall;
import io.flotilla.cloudcalls.NotSentException;
import io.flotilla.config.CloudPolicy;
import io.flotilla.config.CloudPolicy.RateLimit;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.MachineSpec;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The path of every cloud call: gate, rate limit, timeout. */
class CloudPoolTest {
  private final Vertx vertx = Vertx.vertx();
  private final CountingCloud cloud = new CountingCloud();

  @AfterEach
  void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void call_whenTheCloudOverrunsTheTimeout_failsTransient_andDropsTheLateAnswer() {
    CloudPool pool = pool(policy(Optional.empty(), Duration.ofMillis(300)));
    long start = System.nanoTime();

    assertThatThrownBy(() -> pool.await(CloudCall.LIST, () -> {
      Thread.sleep(3000);
      return List.of();
    })).isInstanceOf(CallTimeoutException.class)
        .hasMessage("cloud counting: list call took longer than 300 ms (call_timeout);"
            + " outcome unknown")
        .extracting(e -> ((CloudException) e).kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void call_underARateLimit_sendsTheBurst_thenAtTheRate() {
    CloudPool pool = pool(policy(Optional.of(new RateLimit(10, 2)), Duration.ofSeconds(10)));
    long start = System.nanoTime();

    for (int i = 0; i < 6; i++) {
      pool.await(CloudCall.LIST, () -> cloud.listTagged(Map.of()));
    }

    assertThat(cloud.calls.get()).isEqualTo(6);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("2 at once, then 4 at 100 ms each").isGreaterThanOrEqualTo(Duration.ofMillis(390));
  }

  @Test
  void call_afterAThrottledCreate_sendsNoCreate_butStillListsAndDeletes() {
    CloudPool pool = pool(CloudPolicy.defaults());
    cloud.createFailure = new CloudException(Kind.THROTTLED, "slow down", null,
        Duration.ofMinutes(1), null);
    assertThatThrownBy(() -> pool.await(CloudCall.CREATE, () -> cloud.create(null)))
        .hasMessage("slow down");

    assertThatThrownBy(() -> pool.await(CloudCall.CREATE, () -> cloud.create(null)))
        .isInstanceOf(NotSentException.class)
        .hasMessageContaining("cloud counting: create not sent: paused until")
        .hasMessageEndingWith("(cloud throttled a create call)");
    pool.await(CloudCall.LIST, () -> cloud.listTagged(Map.of()));
    pool.await(CloudCall.DESTROY, () -> {
      cloud.destroy("i-1");
      return null;
    });
    assertThat(cloud.calls.get()).isEqualTo(3);
  }

  @Test
  void call_afterCredentialsWereRefused_sendsNothingUntilTheAuthPauseEnds() {
    CloudPool pool = pool(CloudPolicy.defaults());
    cloud.listFailure = new CloudException(Kind.AUTH, "AuthFailure; local clock 15 min slow");
    assertThatThrownBy(() -> pool.await(CloudCall.LIST, () -> cloud.listTagged(Map.of())))
        .hasMessageContaining("AuthFailure");

    assertThatThrownBy(() -> pool.await(CloudCall.DESCRIBE, () -> cloud.describe("i-1")))
        .isInstanceOf(NotSentException.class)
        .hasMessageEndingWith("(cloud refused our credentials or clock)");
    assertThat(cloud.calls.get()).isEqualTo(1);
  }

  private CloudPool pool(CloudPolicy policy) {
    return new CloudPool(vertx, cloud, 4, Duration.ofSeconds(30), policy, Clock.systemUTC());
  }

  private static CloudPolicy policy(Optional<RateLimit> rate, Duration timeout) {
    CloudPolicy defaults = CloudPolicy.defaults();
    return new CloudPolicy(rate, Optional.of(timeout), defaults.settleTime(),
        defaults.authPause(), defaults.quotaRecheck(), defaults.orphans());
  }

  /** A cloud that counts the calls that reach it and fails as told. */
  private static final class CountingCloud implements CloudProvider {
    final AtomicInteger calls = new AtomicInteger();
    volatile CloudException createFailure;
    volatile CloudException listFailure;

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public CloudMachine create(MachineSpec spec) {
      calls.incrementAndGet();
      if (createFailure != null) {
        throw createFailure;
      }
      throw new UnsupportedOperationException("create");
    }

    @Override
    public Optional<CloudMachine> describe(String cloudId) {
      calls.incrementAndGet();
      return Optional.empty();
    }

    @Override
    public List<CloudMachine> listTagged(Map<String, String> tags) {
      calls.incrementAndGet();
      if (listFailure != null) {
        throw listFailure;
      }
      return List.of();
    }

    @Override
    public void destroy(String cloudId) {
      calls.incrementAndGet();
    }

    @Override
    public void close() {
    }
  }
}
