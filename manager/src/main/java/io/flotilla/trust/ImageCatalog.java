package io.flotilla.trust;

import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.SubscriptionConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The images this site may start: those of image lists that verified against the site's
 * trust policy, while list and image are unexpired. Only images found here are launched.
 *
 * <p>A refresh that fails (fetch error, bad signature, untrusted endorser) keeps the last
 * good list of that subscription until the list itself expires, and says so in the log.
 * Thread-safe.
 */
public final class ImageCatalog {
  private static final Logger log = LoggerFactory.getLogger(ImageCatalog.class);

  private final ImageListVerifier verifier;
  private final Map<String, List<Endorser>> trustedBySubscription;
  private final ImageListFetcher fetcher;
  private final Clock clock;
  private final Map<String, VerifiedImageList> lists = new ConcurrentHashMap<>();
  private final Map<String, SubscriptionState> states = new ConcurrentHashMap<>();

  /** An image from a verified list, with the subscription that vouched for it. */
  public record EndorsedImage(Image image, String subscription, ImageList list) {}

  public ImageCatalog(ImageListVerifier verifier, SiteConfig config, ImageListFetcher fetcher,
      Clock clock) {
    this.verifier = verifier;
    this.fetcher = fetcher;
    this.clock = clock;
    this.trustedBySubscription = new ConcurrentHashMap<>();
    for (SubscriptionConfig subscription : config.imageLists()) {
      List<Endorser> trusted = subscription.endorsers().stream()
          .map(name -> config.endorsers().get(name))
          .map(e -> new Endorser(e.dn(), e.caDn()))
          .toList();
      trustedBySubscription.put(subscription.name(), trusted);
    }
  }

  /**
   * Fetches and verifies one subscription's list. Blocks (file or network I/O).
   *
   * @return true if a new list was accepted
   */
  public synchronized boolean refresh(SubscriptionConfig subscription) {
    try {
      byte[] bytes = fetcher.fetch(subscription.url());
      VerifiedImageList verified = verifier.verify(subscription.url(), bytes,
          trustedBySubscription.get(subscription.name()));
      SubscriptionRules.Accepted accepted = SubscriptionRules.check(
          states.getOrDefault(subscription.name(), SubscriptionState.initial(
              subscription.name())), verified, otherImageIds(subscription.name()));
      states.put(subscription.name(), accepted.next());
      lists.put(subscription.name(), verified);
      List<String> warnings = new java.util.ArrayList<>(verified.warnings());
      warnings.addAll(accepted.warnings());
      warnings.forEach(w -> log.warn("image list warning subscription={} {}",
          subscription.name(), w));
      log.info("image list accepted subscription={} identifier={} version={} images={}"
          + " endorser={}", subscription.name(), verified.imageList().identifier(),
          verified.imageList().version(), verified.imageList().images().size(),
          verified.signerDn());
      return true;
    } catch (ImageListException | ImageListFetcher.FetchException e) {
      keepingLastGood(subscription, e);
      return false;
    }
  }

  /** Image ids of every other subscription's accepted list, which must not reappear here. */
  private Map<String, java.util.Set<String>> otherImageIds(String subscription) {
    Map<String, java.util.Set<String>> others = new java.util.HashMap<>();
    states.forEach((name, state) -> {
      if (!name.equals(subscription)) {
        others.put(name, state.imageIds());
      }
    });
    return others;
  }

  private void keepingLastGood(SubscriptionConfig subscription, RuntimeException error) {
    VerifiedImageList previous = lists.get(subscription.name());
    String kept = previous == null ? "no list is in use for it"
        : "keeping the list verified at " + previous.verifiedAt() + " until it expires at "
            + previous.imageList().expires();
    log.error("image list refused subscription={} reason={}; {}", subscription.name(),
        error.getMessage(), kept);
  }

  /** The endorsed image with this {@code dc:identifier}, if it may be started now. */
  public Optional<EndorsedImage> launchable(String imageId) {
    Instant now = clock.instant();
    for (Map.Entry<String, VerifiedImageList> entry : lists.entrySet()) {
      ImageList list = entry.getValue().imageList();
      if (list.expires().isBefore(now)) {
        continue;
      }
      for (Image image : list.images()) {
        if (image.identifier().equals(imageId)
            && (image.expires() == null || image.expires().isAfter(now))) {
          return Optional.of(new EndorsedImage(image, entry.getKey(), list));
        }
      }
    }
    return Optional.empty();
  }
}
