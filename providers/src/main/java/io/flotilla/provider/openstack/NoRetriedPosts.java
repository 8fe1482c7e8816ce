package io.flotilla.provider.openstack;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import org.jclouds.http.HttpCommand;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpRetryHandler;
import org.jclouds.http.handlers.BackoffLimitedRetryHandler;

/**
 * jclouds' backoff retries after a server error, except for POST: a server create that
 * answered 5xx may have made the server all the same, and sending it again could make a
 * second one. {@link NovaCloud#create} looks for the first by name and metadata instead.
 */
@Singleton
final class NoRetriedPosts implements HttpRetryHandler {

  private final BackoffLimitedRetryHandler backoff;

  @Inject
  NoRetriedPosts(BackoffLimitedRetryHandler backoff) {
    this.backoff = backoff;
  }

  @Override
  public boolean shouldRetryRequest(HttpCommand command, HttpResponse response) {
    if ("POST".equals(command.getCurrentRequest().getMethod())) {
      return false;
    }
    return backoff.shouldRetryRequest(command, response);
  }
}
