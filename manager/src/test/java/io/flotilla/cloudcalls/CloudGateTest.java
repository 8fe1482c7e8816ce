package io.flotilla.cloudcalls;

import static org.assertj.core.api.Assertions.assertThat;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CloudGateTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  private final MovingClock clock = new MovingClock();
  private double jitter = 0.5;
  private final CloudGate gate =
      new CloudGate("aws", clock, Duration.ofMinutes(5), () -> jitter);

  @Test
  void observe_whenThrottled_pausesCreatesOnTheWholeCloud_butNotOtherCalls() {
    gate.observe(CloudCall.CREATE, throttled(null));

    assertThat(gate.createsPaused()).get().satisfies(p -> {
      assertThat(p.until()).isEqualTo(T0.plusMillis(1500));
      assertThat(p.reason()).isEqualTo("cloud throttled a create call");
    });
    assertThat(gate.callsPaused()).isEmpty();
    clock.now = T0.plusMillis(1500);
    assertThat(gate.createsPaused()).isEmpty();
  }

  @Test
  void observe_whenThrottledInARow_doublesTheBackoff_upToFiveMinutes() {
    jitter = 0.999_999;
    long[] expected = {2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000,
        300_000};
    for (long millis : expected) {
      assertThat(gate.throttled(CloudCall.CREATE, throttled(null)).toMillis())
          .isBetween(millis - 1, millis);
    }
  }

  @Test
  void backoff_jitter_staysBetweenHalfAndAllOfTheDoubling() {
    jitter = 0;
    assertThat(gate.backoff(3)).isEqualTo(Duration.ofSeconds(4));
    jitter = 0.999_999;
    assertThat(gate.backoff(3).toMillis()).isBetween(7999L, 8000L);
  }

  @Test
  void observe_whenTheCloudAsksForLonger_waitsAsLongAsItAsks_atMostAnHour() {
    assertThat(gate.throttled(CloudCall.CREATE, throttled(Duration.ofSeconds(30))))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(gate.throttled(CloudCall.CREATE, throttled(Duration.ofDays(2))))
        .isEqualTo(Duration.ofHours(1));
  }

  @Test
  void observe_afterAnAcceptedCreate_startsTheBackoffAfresh() {
    gate.throttled(CloudCall.CREATE, throttled(null));
    gate.throttled(CloudCall.CREATE, throttled(null));

    gate.observe(CloudCall.CREATE, null);

    assertThat(gate.throttled(CloudCall.CREATE, throttled(null)))
        .isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void observe_whenCredentialsRefused_pausesEveryCallForTheAuthPause() {
    gate.observe(CloudCall.LIST, new CloudException(Kind.AUTH, "ec2 aws: AuthFailure;"
        + " local clock is 900 s behind the server's Date header"));

    assertThat(gate.callsPaused()).get().extracting(CloudGate.Pause::until)
        .isEqualTo(T0.plus(Duration.ofMinutes(5)));
    assertThat(gate.createsPaused()).isPresent();
    clock.now = T0.plus(Duration.ofMinutes(5));
    assertThat(gate.callsPaused()).isEmpty();
  }

  @Test
  void observe_whenQuotaRefused_holdsCreatesUntilTheLimitIsLowered() {
    gate.observe(CloudCall.CREATE, new CloudException(Kind.QUOTA_EXCEEDED, "quota",
        "instances", null, null));

    assertThat(gate.createsPaused()).get().extracting(CloudGate.Pause::reason)
        .isEqualTo("cloud refused a create for quota (instances)");
    gate.quotaLimitLowered();
    assertThat(gate.createsPaused()).isEmpty();
  }

  @Test
  void observe_ignoresCallsThatWereNeverSent_andOtherFailures() {
    gate.observe(CloudCall.CREATE, new NotSentException(Kind.TRANSIENT, "paused"));
    gate.observe(CloudCall.CREATE, new CloudException(Kind.TRANSIENT, "network"));
    gate.observe(CloudCall.CREATE, new IllegalStateException("bug"));

    assertThat(gate.createsPaused()).isEmpty();
    assertThat(gate.callsPaused()).isEmpty();
  }

  private static CloudException throttled(Duration retryAfter) {
    return new CloudException(Kind.THROTTLED, "slow down", null, retryAfter, null);
  }

  private static final class MovingClock extends Clock {
    Instant now = T0;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
