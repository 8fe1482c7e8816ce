package io.flotilla.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.flotilla.provider.CloudException.Kind;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CallSlotsTest {

  private static final Duration WAIT = Duration.ofMillis(50);

  @Test
  void call_whenSlotFree_returnsBodyResult() {
    CallSlots slots = new CallSlots("ec2 cloud a", 1, WAIT);

    assertThat(slots.call("DescribeInstances", () -> "ok", e -> e)).isEqualTo("ok");
    assertThat(slots.call("DescribeInstances", () -> "again", e -> e)).isEqualTo("again");
  }

  @Test
  void call_whenBodyFails_throwsClassifiedAndFreesSlot() {
    CallSlots slots = new CallSlots("ec2 cloud a", 1, WAIT);
    IllegalStateException raw = new IllegalStateException("boom");

    assertThatExceptionOfType(CloudException.class)
        .isThrownBy(() -> slots.call("RunInstances", () -> { throw raw; },
            e -> new CloudException(Kind.TRANSIENT, "classified", e)))
        .withMessage("classified")
        .withCause(raw);
    assertThat(slots.call("RunInstances", () -> 1, e -> e)).isEqualTo(1);
  }

  @Test
  void call_whenAllSlotsBusy_failsThrottledWithoutRunningBody() throws Exception {
    CallSlots slots = new CallSlots("openstack cloud b", 1, WAIT);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> slots.call("hold", () -> {
      holding.countDown();
      return awaitQuietly(release);
    }, e -> e));
    holder.start();
    assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
    AtomicBoolean ran = new AtomicBoolean();

    try {
      assertThatExceptionOfType(CloudException.class)
          .isThrownBy(() -> slots.call("list servers", () -> ran.getAndSet(true), e -> e))
          .withMessage("openstack cloud b: list servers not sent: all 1 call slots busy for 50 ms")
          .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.THROTTLED));
    } finally {
      release.countDown();
      holder.join(5000);
    }

    assertThat(ran).isFalse();
  }

  @Test
  void call_whenInterruptedWhileWaiting_failsTransientAndKeepsInterrupt() {
    CallSlots slots = new CallSlots("ec2 cloud a", 1, WAIT);
    Thread.currentThread().interrupt();
    try {
      assertThatExceptionOfType(CloudException.class)
          .isThrownBy(() -> slots.call("RunInstances", () -> 1, e -> e))
          .withMessage(
              "ec2 cloud a: RunInstances not sent: interrupted while waiting for a call slot")
          .satisfies(e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  private static boolean awaitQuietly(CountDownLatch latch) {
    try {
      return latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
