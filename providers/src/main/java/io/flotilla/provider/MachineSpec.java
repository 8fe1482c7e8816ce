package io.flotilla.provider;

import java.util.Map;
import java.util.Objects;

/**
 * What to start: the image and flavour as the cloud names them, the exact user-data bytes
 * the guest must see, and the tags that mark the machine as ours.
 *
 * @param machineId the manager's id for the machine; also the idempotency key
 * @param imageRef the cloud's id or name for the image
 * @param flavour the cloud's flavour or instance type
 * @param userData bytes handed to the cloud before its own transport encoding
 * @param tags labels stored on the machine (site, VO, machine id)
 */
public record MachineSpec(
    String machineId, String imageRef, String flavour, byte[] userData,
    Map<String, String> tags) {

  public MachineSpec {
    Objects.requireNonNull(machineId, "machineId");
    Objects.requireNonNull(imageRef, "imageRef");
    Objects.requireNonNull(flavour, "flavour");
    userData = userData == null ? new byte[0] : userData.clone();
    tags = Map.copyOf(tags);
  }

  @Override
  public byte[] userData() {
    return userData.clone();
  }

  /** Never prints user-data: it may carry site configuration not meant for logs. */
  @Override
  public String toString() {
    return "MachineSpec[machineId=" + machineId + ", image=" + imageRef
        + ", flavour=" + flavour + ", userData=" + userData.length + " bytes, tags=" + tags
        + "]";
  }
}
