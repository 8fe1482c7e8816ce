package io.flotilla.provider.opennebula;

import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.conformance.CloudProviderConformanceTest;
import io.flotilla.provider.sandbox.GuestHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The conformance scenarios on the OpenNebula simulator: its rate limit is a 503 in front
 * of oned, its quota oned's VMS quota, and a refused create an instantiation of a template
 * that oned cannot allocate (it lacks MEMORY).
 */
class OpenNebulaConformanceTest extends CloudProviderConformanceTest {

  private static final String USER = "flotilla";
  private static final String PASSWORD = "conformance-secret";
  private static final int TEMPLATE_WITHOUT_MEMORY = 5;

  private final List<OpenNebulaSimulator> simulators = new ArrayList<>();

  @Override
  protected void releasePeers() {
    simulators.forEach(OpenNebulaSimulator::close);
  }

  @Override
  protected CloudProvider open(Faults faults) {
    OpenNebulaSimulator simulator = OpenNebulaSimulator.start("6.10.0", USER, PASSWORD);
    simulators.add(simulator);
    simulator.stepEvery(Duration.ofMillis(20));
    faults.throttleAfter().ifPresent(simulator::throttleCreatesAfter);
    faults.instanceQuota().ifPresent(simulator::maxVms);
    Map<String, Object> options = new HashMap<>();
    options.put("endpoint", simulator.endpoint().toString());
    options.put("username", USER);
    options.put("password_env", "ONE_PW");
    options.put("call_timeout_seconds", 5);
    if (faults.refuseCreates()) {
      simulator.addTemplate(TEMPLATE_WITHOUT_MEMORY, "CPU=\"1\"\nVCPU=\"1\"");
      options.put("template_id", TEMPLATE_WITHOUT_MEMORY);
    } else {
      options.put("cpu", 1);
      options.put("memory_mb", 512);
    }
    return new OpenNebulaCloud("conformance", OpenNebulaOptions.fromMap(options),
        name -> name.equals("ONE_PW") ? PASSWORD : null);
  }

  @Override
  protected String imageRef() {
    return "17";
  }

  @Override
  protected String flavour() {
    return "unused";
  }

  @Override
  protected String unknownCloudId() {
    return "424242";
  }

  @Override
  protected Optional<GuestHost> guestHost(CloudProvider provider, Map<String, String> scope) {
    return Optional.of(new OpenNebulaGuestHost((OpenNebulaCloud) provider, scope));
  }
}
