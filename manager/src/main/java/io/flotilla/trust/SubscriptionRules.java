package io.flotilla.trust;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules a verified list must also meet for its subscription, checked in this order:
 * <ol>
 *   <li>{@code dc:identifier} equals the identifier the subscription accepted before
 *       (compared ignoring case, as UUIDs are), else IDENTIFIER_CHANGED;
 *   <li>{@code hv:version} never goes down ({@link VersionOrder}), and a list that had a
 *       version may not drop it, else VERSION_ROLLBACK; the same version with different
 *       bytes is accepted with a warning;
 *   <li>image identifiers are unique within the list and not used by another subscribed
 *       list, else DUPLICATE_IMAGE.
 * </ol>
 * A pure function of its arguments: no I/O, no clock, no logging. The caller stores the
 * returned state and logs the warnings.
 */
public final class SubscriptionRules {

  /** An accepted list: the subscription's next state and findings worth a warning. */
  public record Accepted(SubscriptionState next, List<String> warnings) {
    /** Copies {@code warnings} so the record stays immutable. */
    public Accepted {
      warnings = List.copyOf(warnings);
    }
  }

  private SubscriptionRules() {}

  /**
   * Checks {@code list} against what the subscription accepted before.
   *
   * @param state the subscription's state (see {@link SubscriptionState#initial})
   * @param list a list that passed {@link ImageListVerifier}
   * @param otherListsImageIds image identifiers of every other subscription, by name
   * @return the state to store once the list is in use, and warnings
   * @throws ImageListException IDENTIFIER_CHANGED, VERSION_ROLLBACK or DUPLICATE_IMAGE
   */
  public static Accepted check(SubscriptionState state, VerifiedImageList list,
      Map<String, ? extends Collection<String>> otherListsImageIds) {
    List<String> warnings = new ArrayList<>();
    checkIdentifier(state, list);
    checkVersion(state, list, warnings);
    Set<String> imageIds = checkUniqueImages(state, list, otherListsImageIds);
    SubscriptionState next = new SubscriptionState(state.subscription(),
        list.imageList().identifier(), list.imageList().version(), list.fileSha256(),
        imageIds);
    return new Accepted(next, warnings);
  }

  private static void checkIdentifier(SubscriptionState state, VerifiedImageList list) {
    String identifier = list.imageList().identifier();
    if (state.identifier() != null && !state.identifier().equalsIgnoreCase(identifier)) {
      throw refuse(ImageListException.Reason.IDENTIFIER_CHANGED, state, list,
          "dc:identifier '" + identifier + "' differs from '" + state.identifier()
              + "' accepted before on this subscription");
    }
  }

  private static void checkVersion(SubscriptionState state, VerifiedImageList list,
      List<String> warnings) {
    if (!state.hasAccepted()) {
      return;
    }
    String previous = state.version();
    String version = list.imageList().version();
    if (previous != null && version == null) {
      throw refuse(ImageListException.Reason.VERSION_ROLLBACK, state, list,
          "hv:version is missing, the list accepted before had hv:version '" + previous + "'");
    }
    if (previous != null && VersionOrder.INSTANCE.compare(version, previous) < 0) {
      throw refuse(ImageListException.Reason.VERSION_ROLLBACK, state, list, "hv:version '"
          + version + "' is lower than '" + previous + "' accepted before");
    }
    boolean sameVersion = previous == null ? version == null : previous.equals(version);
    if (sameVersion && !list.fileSha256().equals(state.fileSha256())) {
      warnings.add(prefix(state, list) + "hv:version '" + version + "' is unchanged but the"
          + " file differs (SHA-256 " + list.fileSha256() + ", before " + state.fileSha256()
          + "); the publisher should raise hv:version");
    }
  }

  private static Set<String> checkUniqueImages(SubscriptionState state, VerifiedImageList list,
      Map<String, ? extends Collection<String>> otherListsImageIds) {
    Set<String> seen = new LinkedHashSet<>();
    for (Image image : list.imageList().images()) {
      if (!seen.add(image.identifier())) {
        throw refuse(ImageListException.Reason.DUPLICATE_IMAGE, state, list, "image "
            + "dc:identifier '" + image.identifier() + "' occurs more than once in the list");
      }
    }
    for (Map.Entry<String, ? extends Collection<String>> other : otherListsImageIds.entrySet()) {
      if (other.getKey().equals(state.subscription())) {
        continue;
      }
      Set<String> shared = new HashSet<>(other.getValue());
      shared.retainAll(seen);
      if (!shared.isEmpty()) {
        throw refuse(ImageListException.Reason.DUPLICATE_IMAGE, state, list, "image "
            + "dc:identifier " + shared.stream().sorted().toList() + " is also in the list of "
            + "subscription '" + other.getKey() + "'");
      }
    }
    return seen;
  }

  private static ImageListException refuse(ImageListException.Reason reason,
      SubscriptionState state, VerifiedImageList list, String why) {
    return new ImageListException(reason, prefix(state, list) + why);
  }

  private static String prefix(SubscriptionState state, VerifiedImageList list) {
    return "image list " + list.sourceName() + " (subscription '" + state.subscription()
        + "'): ";
  }
}
