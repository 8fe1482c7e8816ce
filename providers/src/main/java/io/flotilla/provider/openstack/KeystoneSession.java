package io.flotilla.provider.openstack;

import com.google.common.base.Supplier;
import com.google.common.cache.LoadingCache;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import java.net.URI;
import java.util.Objects;
import org.jclouds.domain.Credentials;
import org.jclouds.openstack.keystone.auth.domain.AuthInfo;
import org.jclouds.openstack.keystone.v3.domain.Catalog;
import org.jclouds.openstack.keystone.v3.domain.Endpoint;
import org.jclouds.openstack.keystone.v3.domain.Token;

/**
 * The Keystone token jclouds holds for the Nova API, shared with our own REST calls (Glance,
 * Nova at a newer microversion), so the provider authenticates once, by whichever method the
 * options chose, and every call renews the same token. The token and catalog come from
 * jclouds' token cache: the first call authenticates, a renewal empties the cache.
 */
final class KeystoneSession {

  static final String PUBLIC_INTERFACE = "public";

  private final String cloud;
  private final String region;
  private final Supplier<AuthInfo> authInfo;
  private final LoadingCache<Credentials, AuthInfo> tokens;

  KeystoneSession(String cloud, String region, Supplier<AuthInfo> authInfo,
      LoadingCache<Credentials, AuthInfo> tokens) {
    this.cloud = Objects.requireNonNull(cloud, "cloud");
    this.region = Objects.requireNonNull(region, "region");
    this.authInfo = Objects.requireNonNull(authInfo, "authInfo");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  /** The session of the jclouds context whose injector this is. */
  static KeystoneSession of(String cloud, String region, Injector injector) {
    return new KeystoneSession(cloud, region,
        injector.getInstance(Key.get(new TypeLiteral<Supplier<AuthInfo>>() {})),
        injector.getInstance(Key.get(new TypeLiteral<LoadingCache<Credentials, AuthInfo>>() {})));
  }

  /** The current token, authenticating first if there is none. Never log it. */
  String token() {
    return authInfo.get().getAuthToken();
  }

  /** Forgets the token: the next {@link #token()} authenticates again. */
  void renew() {
    tokens.invalidateAll();
  }

  /**
   * The public endpoint of a service type ("image", "compute") in the configured region, as
   * Keystone's catalog of the current token lists it.
   *
   * @throws CloudException INVALID_REQUEST when the catalog has no such endpoint
   */
  URI endpoint(String serviceType) {
    AuthInfo info = authInfo.get();
    if (!(info instanceof Token token)) {
      throw new CloudException(Kind.INVALID_REQUEST, "openstack cloud " + cloud
          + ": Keystone's answer is not a v3 token with a catalog");
    }
    return endpoint(token, serviceType);
  }

  private URI endpoint(Token token, String serviceType) {
    for (Catalog service : token.catalog()) {
      if (!serviceType.equals(service.type())) {
        continue;
      }
      for (Endpoint endpoint : service.endpoints()) {
        boolean inRegion = region.equals(endpoint.region()) || region.equals(endpoint.regionId());
        if (PUBLIC_INTERFACE.equals(endpoint.iface()) && inRegion && endpoint.url() != null) {
          return endpoint.url();
        }
      }
    }
    throw new CloudException(Kind.INVALID_REQUEST, "openstack cloud " + cloud
        + ": Keystone's catalog has no public " + serviceType + " endpoint in region "
        + region);
  }
}
