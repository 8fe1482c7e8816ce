package io.flotilla.provider;

import java.util.Map;

/**
 * Upload of disk images, for clouds that boot only images stored in the cloud itself
 * (OpenStack Glance, OpenNebula datastores). A {@link CloudProvider} of such a cloud also
 * implements this interface; clouds that launch by reference (EC2 AMIs, the sandbox) do not.
 *
 * <p>Calls block, for as long as an upload of several gigabytes takes; callers run them on
 * a worker. Failures are {@link CloudException}s. Implementations are thread-safe.
 */
public interface ImageDelivery {

  /**
   * Stores {@code file} in the cloud and waits until machines can boot from it.
   *
   * @param name the name to give the image in the cloud (unique per image version)
   * @param properties metadata to attach (endorsed identifier, version, SHA-512, ...)
   * @return the cloud's id of the stored image, as {@link MachineSpec#imageRef()} expects it
   * @throws CloudException when the cloud refuses the upload; nothing usable is left behind
   */
  String deliver(ImageFile file, String name, Map<String, String> properties);

  /**
   * Deletes an image this interface delivered earlier. Removing an image that is already
   * gone succeeds.
   *
   * @throws CloudException when the cloud refuses; the image may still exist
   */
  void remove(String cloudImageId);
}
