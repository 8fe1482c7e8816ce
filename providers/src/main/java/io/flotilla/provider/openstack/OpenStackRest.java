package io.flotilla.provider.openstack;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import org.jclouds.Constants;

/**
 * Our own OpenStack REST calls, for what jclouds cannot do (it has no Glance v2 client and
 * speaks Nova at microversion 2.1 only), with jclouds' Keystone token ({@link
 * KeystoneSession}): a 401 renews the token once, like jclouds' own calls do. The HTTP client
 * follows the same proxy settings as jclouds' ({@code jclouds.proxy-host/-port}; none
 * otherwise) and never follows redirects, so a token is sent to the catalog's endpoints only.
 * Failures are {@link CloudException}s classified by {@link NovaErrors}. Thread-safe.
 */
final class OpenStackRest {

  private final String cloud;
  private final KeystoneSession keystone;
  private final HttpClient http;
  private final Duration callTimeout;
  private final Clock clock;

  OpenStackRest(String cloud, KeystoneSession keystone, HttpClient http, Duration callTimeout,
      Clock clock) {
    this.cloud = Objects.requireNonNull(cloud, "cloud");
    this.keystone = Objects.requireNonNull(keystone, "keystone");
    this.http = Objects.requireNonNull(http, "http");
    this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** An HTTP/1.1 client with the call timeout and jclouds' proxy settings, if any. */
  static HttpClient httpClient(Duration callTimeout, Properties jcloudsProperties) {
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(callTimeout)
        .followRedirects(HttpClient.Redirect.NEVER);
    String proxyHost = jcloudsProperties.getProperty(Constants.PROPERTY_PROXY_HOST);
    String proxyPort = jcloudsProperties.getProperty(Constants.PROPERTY_PROXY_PORT);
    if (proxyHost != null && proxyPort != null) {
      builder.proxy(ProxySelector.of(
          new InetSocketAddress(proxyHost, Integer.parseInt(proxyPort))));
    } else {
      builder.proxy(HttpClient.Builder.NO_PROXY);
    }
    return builder.build();
  }

  /** The public endpoint of a service type in the catalog. */
  URI endpoint(String serviceType) {
    return guarded("find the " + serviceType + " endpoint", () -> keystone.endpoint(serviceType));
  }

  /** The call timeout of the options: connect, and wait for an answer's headers. */
  Duration callTimeout() {
    return callTimeout;
  }

  /**
   * Sends one request built by {@code request} (called again for the retry after a 401) with
   * the token, and returns the answer when its status is one of {@code accepted}.
   *
   * @param what the call in words, for messages: "upload image 1234"
   * @throws CloudException classified from any other status or a transport failure
   */
  HttpResponse<String> send(String what, Supplier<HttpRequest.Builder> request,
      Set<Integer> accepted) {
    HttpResponse<String> answer = sendOnce(what, request);
    if (answer.statusCode() == 401) {
      keystone.renew();
      answer = sendOnce(what, request);
    }
    if (!accepted.contains(answer.statusCode())) {
      throw NovaErrors.fromAnswer(cloud, what, answer.statusCode(), answer.body(),
          answer.headers().firstValue("Retry-After"), clock);
    }
    return answer;
  }

  private HttpResponse<String> sendOnce(String what, Supplier<HttpRequest.Builder> request) {
    String token = guarded(what, keystone::token);
    HttpRequest built = request.get().header("X-Auth-Token", token).build();
    try {
      return http.send(built, BodyHandlers.ofString());
    } catch (IOException e) {
      throw new CloudException(Kind.TRANSIENT, "openstack cloud " + cloud + ": " + what
          + " failed: no answer from " + built.uri().getAuthority() + ": "
          + e.getClass().getSimpleName() + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudException(Kind.TRANSIENT, "openstack cloud " + cloud + ": " + what
          + " interrupted", e);
    }
  }

  /** Runs a step that goes through jclouds (authentication), classifying its failures. */
  private <T> T guarded(String what, Supplier<T> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      throw NovaErrors.classify(cloud, what, e, clock);
    }
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? "" : ": " + NovaErrors.sanitize(e.getMessage());
  }
}
