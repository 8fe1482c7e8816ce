package io.flotilla.cloudcalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private long nanos;
  private final TokenBucket bucket = new TokenBucket(5, 10, () -> nanos);

  @Test
  void reserve_whenFull_letsTheBurstGoAtOnce_thenSpacesCallsByTheRate() {
    for (int i = 0; i < 10; i++) {
      assertThat(bucket.reserve(Duration.ZERO)).as("call %d of the burst", i).isZero();
    }

    assertThat(bucket.reserve(Duration.ofSeconds(1))).isEqualTo(200_000_000L);
    assertThat(bucket.reserve(Duration.ofSeconds(1))).isEqualTo(400_000_000L);
  }

  @Test
  void reserve_afterIdleTime_refillsAtTheRate_upToTheBurst() {
    for (int i = 0; i < 10; i++) {
      bucket.reserve(Duration.ZERO);
    }

    nanos += 1_000_000_000L;
    for (int i = 0; i < 5; i++) {
      assertThat(bucket.reserve(Duration.ZERO)).isZero();
    }
    assertThat(bucket.reserve(Duration.ZERO)).isEqualTo(-1);

    nanos += 60_000_000_000L;
    for (int i = 0; i < 10; i++) {
      assertThat(bucket.reserve(Duration.ZERO)).isZero();
    }
    assertThat(bucket.reserve(Duration.ZERO)).as("never more than the burst").isEqualTo(-1);
  }

  @Test
  void reserve_whenTheTokenIsDueAfterMaxWait_reservesNothing() {
    for (int i = 0; i < 10; i++) {
      bucket.reserve(Duration.ZERO);
    }

    assertThat(bucket.reserve(Duration.ofMillis(199))).isEqualTo(-1);
    assertThat(bucket.reserve(Duration.ofMillis(200))).isEqualTo(200_000_000L);
  }

  @Test
  void acquire_sleepsUntilTheTokenIsDue() throws InterruptedException {
    TokenBucket real = new TokenBucket(20, 1, System::nanoTime);
    long start = System.nanoTime();

    for (int i = 0; i < 5; i++) {
      assertThat(real.acquire(Duration.ofSeconds(5))).isTrue();
    }

    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(190_000_000L);
  }

  @Test
  void new_whenRateOrBurstNotPositive_refuses() {
    assertThatThrownBy(() -> new TokenBucket(0, 1, () -> 0))
        .hasMessage("token bucket needs a rate above 0 and a burst of at least 1, got rate=0.0"
            + " burst=1");
  }
}
