package io.flotilla.trust;

import java.util.Set;

/**
 * What a subscription remembers of the last list it accepted, for {@link SubscriptionRules}.
 * All fields but {@code subscription} are {@code null} (and {@code imageIds} empty) before
 * the first list is accepted.
 *
 * @param subscription the subscription's name, used in messages
 * @param identifier {@code dc:identifier} of the accepted lists
 * @param version {@code hv:version} of the last accepted list (may be null if it had none)
 * @param fileSha256 SHA-256 of the last accepted file's bytes
 * @param imageIds image identifiers of the last accepted list
 */
public record SubscriptionState(
    String subscription,
    String identifier,
    String version,
    String fileSha256,
    Set<String> imageIds) {

  /** Copies {@code imageIds} so the record stays immutable. */
  public SubscriptionState {
    imageIds = Set.copyOf(imageIds);
  }

  /** The state of a subscription that has not accepted any list yet. */
  public static SubscriptionState initial(String subscription) {
    return new SubscriptionState(subscription, null, null, null, Set.of());
  }

  /** Whether a list was accepted before. */
  public boolean hasAccepted() {
    return fileSha256 != null;
  }
}
