package io.flotilla.provider.opennebula;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.sandbox.GuestHost;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;

/**
 * What a VM on an OpenNebula cloud sees of its host, read through oned's own API so an
 * emulated guest gets exactly what a real one would: the user-data from the VM's
 * {@code TEMPLATE/CONTEXT/USER_DATA} (decoded when {@code USERDATA_ENCODING} is base64, as
 * the guest's context scripts do), a power button ({@code one.vm.action poweroff}, what a
 * guest's own shutdown turns into), and the list of running VMs.
 *
 * <p>Only VMs carrying every tag of the scope (normally the site tag) are offered as guests.
 * Thread-safe.
 */
public final class OpenNebulaGuestHost implements GuestHost {

  private static final Logger log = LoggerFactory.getLogger(OpenNebulaGuestHost.class);

  private final OpenNebulaCloud cloud;
  private final Map<String, String> scope;

  /**
   * @param cloud the provider whose session and endpoint the guest calls share
   * @param scope tags a VM must carry to be played as a guest
   */
  public OpenNebulaGuestHost(OpenNebulaCloud cloud, Map<String, String> scope) {
    this.cloud = Objects.requireNonNull(cloud, "cloud");
    this.scope = Map.copyOf(scope);
  }

  /** @throws CloudException NOT_FOUND for a VM oned does not know */
  @Override
  public byte[] userData(String cloudId) {
    String xml = cloud.vmInfo(cloudId);
    try {
      return userDataOf(xml);
    } catch (XmlRpcException | IllegalArgumentException e) {
      throw new CloudException(Kind.TRANSIENT, "opennebula cloud " + cloud.name()
          + ": user-data of vm " + cloudId + " unreadable: " + e.getMessage(), e);
    }
  }

  /**
   * Powers a running VM off; a VM powered off or powering off already is left alone.
   *
   * @throws CloudException NOT_FOUND for a VM oned does not know, INVALID_REQUEST for one
   *     that is neither running nor off (pending, booting, done)
   */
  @Override
  public void powerOff(String cloudId) {
    CloudMachine machine = cloud.describe(cloudId).orElseThrow(() -> new CloudException(
        Kind.NOT_FOUND, "opennebula cloud " + cloud.name() + ": vm " + cloudId
        + " does not exist"));
    switch (machine.state()) {
      case STOPPED, STOPPING -> log.debug("opennebula guest power-off of a vm already off "
          + "cloud={} cloudId={} state={}", cloud.name(), cloudId, machine.rawState());
      case RUNNING -> cloud.vmAction("poweroff", cloudId);
      default -> throw new CloudException(Kind.INVALID_REQUEST, "opennebula cloud "
          + cloud.name() + ": vm " + cloudId + " cannot power off: expected state "
          + "ACTIVE/RUNNING, actual " + machine.rawState());
    }
  }

  @Override
  public List<CloudMachine> running() {
    return cloud.listTagged(scope).stream()
        .filter(machine -> machine.state() == CloudState.RUNNING)
        .toList();
  }

  /** USER_DATA of the VM's CONTEXT; empty when the VM has none. */
  static byte[] userDataOf(String vmInfoXml) {
    Element vm = SafeXml.parse(vmInfoXml, "one.vm.info answer").getDocumentElement();
    Element template = SafeXml.child(vm, "TEMPLATE");
    Element context = template == null ? null : SafeXml.child(template, "CONTEXT");
    String userData = context == null ? null : SafeXml.childText(context, "USER_DATA");
    if (userData == null) {
      return new byte[0];
    }
    String encoding = SafeXml.childText(context, "USERDATA_ENCODING");
    if ("base64".equalsIgnoreCase(encoding)) {
      return Base64.getDecoder().decode(userData.replaceAll("\\s+", ""));
    }
    return userData.getBytes(StandardCharsets.UTF_8);
  }
}
