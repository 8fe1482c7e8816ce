package io.flotilla.provider;

import java.util.Objects;

/**
 * An image the cloud holds for this project.
 *
 * @param id the cloud's id, as {@link MachineSpec#imageRef()} may name it
 * @param name the cloud's display name, or the id where it has none
 * @param rawState the cloud's own word for the image's state ({@code active},
 *     {@code available}, {@code READY}), kept for logs and callers that know the cloud
 */
public record CloudImage(String id, String name, String rawState) {

  public CloudImage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(rawState, "rawState");
  }
}
