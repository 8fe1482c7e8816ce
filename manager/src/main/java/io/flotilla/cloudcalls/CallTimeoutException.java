package io.flotilla.cloudcalls;

import io.flotilla.provider.CloudException;
import java.time.Duration;

/**
 * A call that ran longer than the cloud's {@code call_timeout}. Its outcome is unknown: the
 * worker thread may still be inside the provider (jclouds cannot be interrupted reliably)
 * and a create may yet succeed, so the machine's tags are what finds it later.
 */
public final class CallTimeoutException extends CloudException {
  public CallTimeoutException(String cloud, String call, Duration timeout) {
    super(Kind.TRANSIENT, "cloud " + cloud + ": " + call + " call took longer than "
        + timeout.toMillis() + " ms (call_timeout); outcome unknown");
  }
}
