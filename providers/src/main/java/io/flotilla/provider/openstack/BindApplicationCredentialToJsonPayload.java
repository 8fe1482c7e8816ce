package io.flotilla.provider.openstack;

import com.google.inject.Inject;
import java.util.List;
import java.util.Map;
import org.jclouds.http.HttpRequest;
import org.jclouds.json.Json;
import org.jclouds.rest.binders.BindToJsonPayload;

/**
 * Writes {@code {"auth":{"identity":{"methods":["application_credential"],
 * "application_credential":{"id":..,"secret":..}}}}}: no scope, since an application
 * credential fixes its project. The payload is marked sensitive so jclouds never logs it.
 */
final class BindApplicationCredentialToJsonPayload extends BindToJsonPayload {

  @Inject
  BindApplicationCredentialToJsonPayload(Json json) {
    super(json);
  }

  @Override
  public <R extends HttpRequest> R bindToRequest(R request, Map<String, Object> postParams) {
    KeystoneSecret credential = (KeystoneSecret) postParams.get("credential");
    Map<String, Object> identity = Map.of(
        "methods", List.of("application_credential"),
        "application_credential", Map.of("id", credential.id(), "secret", credential.secret()));
    R bound = super.bindToRequest(request, (Object) Map.of("auth", Map.of("identity", identity)));
    bound.getPayload().setSensitive(true);
    return bound;
  }
}
