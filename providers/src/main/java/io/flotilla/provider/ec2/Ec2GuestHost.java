package io.flotilla.provider.ec2;

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
 * What a VM on an EC2 cloud sees of its host, read through the cloud's own API so an
 * emulated guest gets exactly what a real one would: the user-data as EC2 stored it
 * (DescribeInstanceAttribute, base64-decoded to the exact bytes), a power button that stops
 * the instance as a guest's {@code shutdown -h} does under EC2's default shutdown behaviour
 * (StopInstances), and the list of running instances.
 *
 * <p>Only instances carrying every tag of the scope (normally the site tag) are offered as
 * guests, so an emulator never plays another site's instances. Thread-safe.
 */
public final class Ec2GuestHost implements GuestHost {

  private static final Logger log = LoggerFactory.getLogger(Ec2GuestHost.class);

  private final Ec2Cloud cloud;
  private final Map<String, String> scope;

  /**
   * @param cloud the provider whose connection and call limits the guest calls share
   * @param scope tags an instance must carry to be played as a guest
   */
  public Ec2GuestHost(Ec2Cloud cloud, Map<String, String> scope) {
    this.cloud = Objects.requireNonNull(cloud, "cloud");
    this.scope = Map.copyOf(scope);
  }

  @Override
  public byte[] userData(String cloudId) {
    return cloud.userData(cloudId);
  }

  /**
   * Stops a running instance; an instance stopping or stopped already is left alone.
   *
   * @throws CloudException NOT_FOUND for an instance EC2 does not know, INVALID_REQUEST for
   *     one that is neither running nor stopped (pending, terminated)
   */
  @Override
  public void powerOff(String cloudId) {
    CloudMachine machine = cloud.describe(cloudId).orElseThrow(() -> new CloudException(
        Kind.NOT_FOUND, "ec2 cloud " + cloud.name() + ": instance " + cloudId
        + " does not exist"));
    switch (machine.state()) {
      case STOPPED, STOPPING -> log.debug("ec2 guest power-off of a stopped instance cloud={}"
          + " cloudId={} state={}", cloud.name(), cloudId, machine.rawState());
      case RUNNING -> cloud.stop(cloudId);
      default -> throw new CloudException(Kind.INVALID_REQUEST, "ec2 cloud " + cloud.name()
          + ": instance " + cloudId + " cannot power off: expected state running, actual "
          + machine.rawState());
    }
  }

  @Override
  public List<CloudMachine> running() {
    return cloud.listTagged(scope).stream()
        .filter(machine -> machine.state() == CloudState.RUNNING)
        .toList();
  }
}
