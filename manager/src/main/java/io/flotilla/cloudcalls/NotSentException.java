package io.flotilla.cloudcalls;

import io.flotilla.provider.CloudException;

/**
 * A call the manager did not send, because the cloud is paused after throttling or refusing
 * our credentials, or because its rate limit gave no permit in time. The cloud saw nothing:
 * it is no new refusal, and no machine can exist because of it.
 */
public final class NotSentException extends CloudException {
  public NotSentException(Kind kind, String message) {
    super(kind, message);
  }
}
