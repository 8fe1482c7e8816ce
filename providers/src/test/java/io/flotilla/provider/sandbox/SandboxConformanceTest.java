package io.flotilla.provider.sandbox;

import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.conformance.CloudProviderConformanceTest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** The conformance scenarios on the sandbox, its faults set through its own options. */
class SandboxConformanceTest extends CloudProviderConformanceTest {

  @Override
  protected CloudProvider open(Faults faults) {
    SandboxOptions options = new SandboxOptions(Duration.ZERO, faults.refuseCreates() ? 1 : 0,
        0, 0, OptionalLong.of(11), faults.instanceQuota());
    if (faults.throttleAfter().isPresent()) {
      options = options.withThrottle(faults.throttleAfter().getAsInt(), Duration.ofMinutes(5));
    }
    return new SandboxCloud("conformance", options);
  }

  @Override
  protected String imageRef() {
    return "c0482bc2-bf41-5d49-aaaa-a750174a186b";
  }

  @Override
  protected String flavour() {
    return "small";
  }

  @Override
  protected String unknownCloudId() {
    return "987654";
  }

  @Override
  protected Optional<GuestHost> guestHost(CloudProvider provider, Map<String, String> scope) {
    return Optional.of((SandboxCloud) provider);
  }
}
