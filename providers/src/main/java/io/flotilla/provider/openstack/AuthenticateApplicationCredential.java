package io.flotilla.provider.openstack;

import com.google.common.base.Function;
import com.google.inject.Inject;
import org.jclouds.domain.Credentials;
import org.jclouds.openstack.keystone.auth.config.CredentialType;
import org.jclouds.openstack.keystone.auth.domain.AuthInfo;

/**
 * jclouds' authentication function for the credential type
 * {@value KeystoneAuthModule#APPLICATION_CREDENTIALS}: the context's identity is the
 * application credential id, its credential the secret. jclouds calls it again (through its
 * token cache) when Nova answers 401, so an expired token is renewed like a password one.
 */
@CredentialType(KeystoneAuthModule.APPLICATION_CREDENTIALS)
final class AuthenticateApplicationCredential implements Function<Credentials, AuthInfo> {

  private final ApplicationCredentialApi keystone;

  @Inject
  AuthenticateApplicationCredential(ApplicationCredentialApi keystone) {
    this.keystone = keystone;
  }

  @Override
  public AuthInfo apply(Credentials credentials) {
    return keystone.authenticate(new KeystoneSecret(credentials.identity, credentials.credential));
  }
}
