package io.flotilla.provider.openstack;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.sandbox.GuestHost;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a VM on an OpenStack cloud sees of its host, read through Nova's API so an emulated
 * guest gets what a real one would: the user-data as Nova stored it (the server at
 * microversion 2.3, {@code OS-EXT-SRV-ATTR:user_data}, base64-decoded to the exact bytes; a
 * real guest reads the same from the metadata service or config drive), a power button that
 * stops the server as a guest's {@code shutdown -h} does (Nova's os-stop action; the server
 * goes to SHUTOFF), and the list of running servers.
 *
 * <p>Reading user-data back needs Nova's admin policy for {@code OS-EXT-SRV-ATTR}: fine for
 * a test cloud such as tools/openstack-box, which is the only place an emulator belongs.
 * Only servers carrying every tag of the scope (normally the site tag) are offered as
 * guests, so an emulator never plays another site's servers. Thread-safe.
 */
public final class NovaGuestHost implements GuestHost {

  private static final Logger log = LoggerFactory.getLogger(NovaGuestHost.class);

  private final NovaCloud cloud;
  private final Map<String, String> scope;

  /**
   * @param cloud the provider whose token, connections and call limits the guest calls share
   * @param scope tags a server must carry to be played as a guest
   */
  public NovaGuestHost(NovaCloud cloud, Map<String, String> scope) {
    this.cloud = Objects.requireNonNull(cloud, "cloud");
    this.scope = Map.copyOf(scope);
  }

  @Override
  public byte[] userData(String cloudId) {
    return cloud.userData(cloudId);
  }

  /**
   * Stops a running server; a server stopping or stopped already is left alone.
   *
   * @throws CloudException NOT_FOUND for a server Nova does not know, INVALID_REQUEST for
   *     one that is neither running nor stopped (building, in error, being deleted)
   */
  @Override
  public void powerOff(String cloudId) {
    CloudMachine machine = cloud.describe(cloudId).orElseThrow(() -> new CloudException(
        Kind.NOT_FOUND, "openstack cloud " + cloud.name() + ": server " + cloudId
        + " does not exist"));
    switch (machine.state()) {
      case STOPPED, STOPPING -> log.debug("openstack guest power-off of a stopped server cloud={} "
          + "cloudId={} state={}", cloud.name(), cloudId, machine.rawState());
      case RUNNING -> cloud.stop(cloudId);
      default -> throw new CloudException(Kind.INVALID_REQUEST, "openstack cloud "
          + cloud.name() + ": server " + cloudId + " cannot power off: expected state ACTIVE, "
          + "actual " + machine.rawState());
    }
  }

  @Override
  public List<CloudMachine> running() {
    return cloud.listTagged(scope).stream()
        .filter(machine -> machine.state() == CloudState.RUNNING)
        .toList();
  }
}
