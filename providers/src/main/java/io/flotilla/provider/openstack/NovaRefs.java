package io.flotilla.provider.openstack;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jclouds.openstack.v2_0.domain.Resource;

/**
 * Image and flavour references as Nova 2.1 wants them, ids: a site may name them instead.
 * An image reference that is a UUID is taken as an id without a call; otherwise Nova's image
 * list is asked for that exact name. Flavours are listed once and kept; a reference matching
 * no flavour id or name lists them again, since flavours may be added while we run.
 * Thread-safe.
 */
final class NovaRefs {

  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final String cloud;
  private final Function<String, List<Resource>> imagesNamed;
  private final Supplier<List<Resource>> allFlavours;
  private volatile List<Resource> flavours;

  /**
   * @param cloud the cloud's name, for messages
   * @param imagesNamed the images Nova lists for a name filter
   * @param allFlavours every flavour of the project
   */
  NovaRefs(String cloud, Function<String, List<Resource>> imagesNamed,
      Supplier<List<Resource>> allFlavours) {
    this.cloud = cloud;
    this.imagesNamed = imagesNamed;
    this.allFlavours = allFlavours;
  }

  /** The image id for an id or an exact, unique image name. */
  String imageId(String ref) {
    if (UUID.matcher(ref).matches()) {
      return ref;
    }
    List<Resource> named = imagesNamed.apply(ref).stream()
        .filter(image -> ref.equals(image.getName()))
        .toList();
    return unique("image", ref, named);
  }

  /** The flavour id for an id or an exact, unique flavour name. */
  String flavourId(String ref) {
    List<Resource> known = flavours;
    if (known == null || !matches(known, ref)) {
      known = allFlavours.get();
      flavours = known;
    }
    if (known.stream().anyMatch(flavour -> ref.equals(flavour.getId()))) {
      return ref;
    }
    return unique("flavour", ref,
        known.stream().filter(flavour -> ref.equals(flavour.getName())).toList());
  }

  private static boolean matches(List<Resource> flavours, String ref) {
    return flavours.stream()
        .anyMatch(flavour -> ref.equals(flavour.getId()) || ref.equals(flavour.getName()));
  }

  private String unique(String what, String ref, List<Resource> found) {
    if (found.size() == 1) {
      return found.get(0).getId();
    }
    String reason = found.isEmpty()
        ? "no " + what + " has this id or name"
        : found.size() + " " + what + "s have this name: "
            + found.stream().map(Resource::getId).toList() + "; give the id";
    throw new CloudException(Kind.INVALID_REQUEST,
        "openstack cloud " + cloud + ": " + what + " '" + ref + "': " + reason);
  }
}
