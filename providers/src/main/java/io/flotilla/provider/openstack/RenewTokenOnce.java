package io.flotilla.provider.openstack;

import com.google.common.cache.LoadingCache;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import org.jclouds.domain.Credentials;
import org.jclouds.http.HttpCommand;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpRetryHandler;
import org.jclouds.http.handlers.BackoffLimitedRetryHandler;
import org.jclouds.openstack.keystone.auth.domain.AuthInfo;

/**
 * Retries a call refused with 401 once, with a new token: the token may have expired or been
 * revoked. jclouds' own handler (RetryOnRenew) retries up to five times with 5 s sleeps, also
 * when Keystone itself refuses the credentials, so a wrong password cost 15 s per call; here a
 * refused token request is never retried.
 */
@Singleton
final class RenewTokenOnce implements HttpRetryHandler {

  private static final String TOKEN_PATH = "/auth/tokens";

  private final LoadingCache<Credentials, AuthInfo> tokens;
  private final BackoffLimitedRetryHandler backoff;

  @Inject
  RenewTokenOnce(LoadingCache<Credentials, AuthInfo> tokens, BackoffLimitedRetryHandler backoff) {
    this.tokens = tokens;
    this.backoff = backoff;
  }

  @Override
  public boolean shouldRetryRequest(HttpCommand command, HttpResponse response) {
    return switch (response.getStatusCode()) {
      case 401 -> renewOnce(command);
      case 408 -> backoff.shouldRetryRequest(command, response);
      default -> false;
    };
  }

  private boolean renewOnce(HttpCommand command) {
    String path = command.getCurrentRequest().getEndpoint().getPath();
    if (path != null && path.endsWith(TOKEN_PATH)) {
      return false;
    }
    if (command.incrementFailureCount() > 1) {
      return false;
    }
    tokens.invalidateAll();
    return true;
  }
}
