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
 * @param metadata key/value pairs the guest reads from its cloud's metadata service or
 *     context (OpenStack server metadata, OpenNebula CONTEXT variables): the MJF and
 *     job-output URLs under {@code machinefeatures}, {@code jobfeatures} and
 *     {@code joboutputs}. The values are capability URLs: never log them.
 */
public record MachineSpec(
    String machineId, String imageRef, String flavour, byte[] userData,
    Map<String, String> tags, Map<String, String> metadata) {

  public MachineSpec {
    Objects.requireNonNull(machineId, "machineId");
    Objects.requireNonNull(imageRef, "imageRef");
    Objects.requireNonNull(flavour, "flavour");
    userData = userData == null ? new byte[0] : userData.clone();
    tags = Map.copyOf(tags);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** A machine without metadata. */
  public MachineSpec(
      String machineId, String imageRef, String flavour, byte[] userData,
      Map<String, String> tags) {
    this(machineId, imageRef, flavour, userData, tags, Map.of());
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
        + ", metadata keys=" + new java.util.TreeSet<>(metadata.keySet()) + "]";
  }
}
