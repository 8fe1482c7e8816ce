package io.flotilla.provider.ec2;

import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.conformance.CloudProviderConformanceTest;
import io.flotilla.provider.sandbox.GuestHost;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The conformance scenarios on moto_server. moto neither throttles nor enforces quotas, so
 * those faults come from a proxy in front of it answering with EC2's own error documents
 * (RequestLimitExceeded with HTTP 503, InstanceLimitExceeded, InsufficientInstanceCapacity)
 * once the allowed RunInstances calls have passed.
 */
class Ec2ConformanceTest extends CloudProviderConformanceTest {

  @RegisterExtension
  static final MotoServerExtension moto = new MotoServerExtension();

  private final List<LoopbackHttpProxy> proxies = new ArrayList<>();

  @Override
  protected CloudProvider open(Faults faults) throws IOException {
    boolean faulty = faults.refuseCreates() || faults.throttleAfter().isPresent()
        || faults.instanceQuota().isPresent();
    if (!faulty) {
      return Ec2TestClouds.cloud(moto.endpoint());
    }
    LoopbackHttpProxy proxy = new LoopbackHttpProxy(moto.port());
    proxies.add(proxy);
    if (faults.refuseCreates()) {
      proxy.refuseAfter("RunInstances", 0, 500, error("insufficient_instance_capacity"));
    }
    faults.throttleAfter().ifPresent(after ->
        proxy.refuseAfter("RunInstances", after, 503, error("request_limit_exceeded")));
    faults.instanceQuota().ifPresent(quota ->
        proxy.refuseAfter("RunInstances", quota, 400, error("instance_limit_exceeded")));
    return Ec2TestClouds.cloud(proxy.endpoint());
  }

  @Override
  protected void releasePeers() throws IOException {
    for (LoopbackHttpProxy proxy : proxies) {
      proxy.close();
    }
  }

  @Override
  protected String imageRef() {
    return moto.linuxAmi();
  }

  @Override
  protected String flavour() {
    return "t3.micro";
  }

  @Override
  protected String unknownCloudId() {
    return "i-0123456789abcdef0";
  }

  @Override
  protected Optional<GuestHost> guestHost(CloudProvider provider, Map<String, String> scope) {
    return Optional.of(new Ec2GuestHost((Ec2Cloud) provider, scope));
  }

  private static byte[] error(String name) {
    String resource = "/ec2/errors/" + name + ".xml";
    try (InputStream in = Ec2ConformanceTest.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource missing: " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }
}
