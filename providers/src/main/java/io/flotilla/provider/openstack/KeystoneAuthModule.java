package io.flotilla.provider.openstack;

import static org.jclouds.rest.config.BinderUtils.bindHttpApi;

import com.google.common.base.Function;
import com.google.inject.Injector;
import java.util.HashMap;
import java.util.Map;
import org.jclouds.domain.Credentials;
import org.jclouds.http.HttpRetryHandler;
import org.jclouds.http.annotation.ClientError;
import org.jclouds.http.annotation.ServerError;
import org.jclouds.openstack.keystone.auth.config.AuthenticationModule;
import org.jclouds.openstack.keystone.auth.domain.AuthInfo;
import org.jclouds.openstack.keystone.v2_0.auth.V2AuthenticationApi;
import org.jclouds.openstack.keystone.v3.auth.V3AuthenticationApi;

/**
 * jclouds' Keystone authentication plus the application_credential method, with milder
 * retries ({@link RenewTokenOnce}, {@link NoRetriedPosts}). Replaces
 * {@link AuthenticationModule} among the Nova API's default modules; public only because
 * jclouds instantiates default modules through their public constructor.
 */
public final class KeystoneAuthModule extends AuthenticationModule {

  /** The value of {@code jclouds.keystone.credential-type} that selects this method. */
  static final String APPLICATION_CREDENTIALS = "applicationCredentials";

  /** As the parent's, with our retry handlers instead of RetryOnRenew. */
  @Override
  protected void configure() {
    bind(HttpRetryHandler.class).annotatedWith(ClientError.class).to(RenewTokenOnce.class);
    bind(HttpRetryHandler.class).annotatedWith(ServerError.class).to(NoRetriedPosts.class);
    bindHttpApi(binder(), V2AuthenticationApi.class);
    bindHttpApi(binder(), V3AuthenticationApi.class);
    bindHttpApi(binder(), ApplicationCredentialApi.class);
  }

  @Override
  protected Map<String, Function<Credentials, AuthInfo>> authenticationMethods(Injector injector) {
    Map<String, Function<Credentials, AuthInfo>> methods =
        new HashMap<>(super.authenticationMethods(injector));
    methods.put(APPLICATION_CREDENTIALS,
        injector.getInstance(AuthenticateApplicationCredential.class));
    return methods;
  }
}
