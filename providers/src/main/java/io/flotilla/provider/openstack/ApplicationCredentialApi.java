package io.flotilla.provider.openstack;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import java.io.Closeable;
import org.jclouds.openstack.keystone.v3.domain.Token;
import org.jclouds.openstack.keystone.v3.parsers.ParseTokenFromHttpResponse;
import org.jclouds.rest.annotations.MapBinder;
import org.jclouds.rest.annotations.PayloadParam;
import org.jclouds.rest.annotations.ResponseParser;

/**
 * Keystone v3's token request with the application_credential method, which jclouds 2.7
 * lacks. Answers the same {@link Token} (id from X-Subject-Token, catalog from the body) as
 * jclouds' own password method, so the rest of jclouds uses it unchanged.
 */
@Consumes(MediaType.APPLICATION_JSON)
@Path("/auth/tokens")
interface ApplicationCredentialApi extends Closeable {

  @com.google.inject.name.Named("token:create")
  @POST
  @ResponseParser(ParseTokenFromHttpResponse.class)
  @MapBinder(BindApplicationCredentialToJsonPayload.class)
  Token authenticate(@PayloadParam("credential") KeystoneSecret credential);
}
