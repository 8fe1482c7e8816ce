package io.flotilla.provider.openstack;

import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.conformance.CloudProviderConformanceTest;
import io.flotilla.provider.sandbox.GuestHost;
import io.flotilla.provider.testing.FaultInjectingProxy;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The conformance scenarios on the real OpenStack box. The box neither throttles nor runs
 * out of quota, so those faults come from a proxy in front of it answering POST /servers as
 * Nova or a rate-limiting front end would (429 with Retry-After, 403 "Quota exceeded for
 * instances", 500) once the allowed creates have passed. Guests see their servers through
 * {@link NovaGuestHost}: user-data at microversion 2.3, power-off by os-stop, which the fake
 * driver carries out (SHUTOFF).
 */
class NovaConformanceTest extends CloudProviderConformanceTest {

  @RegisterExtension
  static final OpenStackBoxExtension box = new OpenStackBoxExtension();

  private static final String SERVERS = "/v2\\.1/servers";
  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

  private final List<FaultInjectingProxy> proxies = new ArrayList<>();

  @Override
  protected CloudProvider open(Faults faults) throws IOException {
    FaultInjectingProxy proxy = new FaultInjectingProxy(Set.of(box.keystone().getPort(),
        box.client().novaUrl().getPort()));
    proxies.add(proxy);
    if (faults.refuseCreates()) {
      proxy.respondAfter("POST", SERVERS, 0, 500, JSON,
          "{\"computeFault\": {\"code\": 500, \"message\": \"Unexpected API Error.\"}}");
    }
    faults.throttleAfter().ifPresent(after -> proxy.respondAfter("POST", SERVERS, after, 429,
        Map.of("Retry-After", "5"),
        "{\"overLimit\": {\"code\": 429, \"message\": \"Rate limit exceeded\"}}"));
    faults.instanceQuota().ifPresent(quota -> proxy.respondAfter("POST", SERVERS, quota, 403,
        JSON, "{\"forbidden\": {\"code\": 403, \"message\": \"Quota exceeded for instances: "
            + "Requested 1, but already used " + quota + " of " + quota + " instances\"}}"));
    OpenStackOptions options = OpenStackOptions.fromMap(box.passwordOptions());
    Properties jclouds = new Properties();
    jclouds.setProperty("jclouds.proxy-host", "127.0.0.1");
    jclouds.setProperty("jclouds.proxy-port", Integer.toString(proxy.port()));
    return new NovaCloud("box", options, box.password(), Clock.systemUTC(), jclouds);
  }

  @Override
  protected void releasePeers() throws IOException {
    for (FaultInjectingProxy proxy : proxies) {
      proxy.close();
    }
  }

  @Override
  protected String imageRef() {
    return box.imageId();
  }

  @Override
  protected String flavour() {
    return box.flavourId();
  }

  @Override
  protected String unknownCloudId() {
    return UUID.randomUUID().toString();
  }

  @Override
  protected Optional<GuestHost> guestHost(CloudProvider provider, Map<String, String> scope) {
    return Optional.of(new NovaGuestHost((NovaCloud) provider, scope));
  }
}
