package io.flotilla.trust;

import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.EndorserConfig;
import io.flotilla.config.SiteConfig.NewImagePolicy;
import io.flotilla.config.SiteConfig.SubscriptionConfig;
import io.flotilla.images.ImageEvents;
import io.flotilla.images.ImageVersion;
import io.flotilla.trust.ImageListFetcher.Fetched;
import io.flotilla.trust.ImageListFetcher.Result;
import io.flotilla.trust.ImageListFetcher.Validators;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The images this site may start: those of image lists that verified against the site's
 * trust policy, while list and image are unexpired, that the subscription's
 * {@code allow_images} names (if it names any), and that its {@code new_images} policy did
 * not refuse or hold. Only images found here are launched.
 *
 * <p>Refreshes fetch conditionally: a 304 keeps the list in use without verifying it again.
 * A refresh that fails (fetch error, bad signature, untrusted endorser) keeps the last good
 * list of that subscription until the list itself expires, and says so in the log.
 *
 * <p>Every change of the launchable set is announced to {@link ImageEvents}: a version
 * becomes available, expires, is removed from its list, or has its checksum changed. Expiry
 * is noticed at each refresh and each {@link #checkExpiry()}. Thread-safe: refreshes and
 * approvals are serialised, {@link #launchable} never blocks on them.
 */
public final class ImageCatalog {
  private static final Logger log = LoggerFactory.getLogger(ImageCatalog.class);

  private final ImageListVerifier verifier;
  private final ImageListFetcher fetcher;
  private final Clock clock;
  private final ImageEvents events;
  private final Map<String, SubscriptionConfig> subscriptions = new LinkedHashMap<>();
  private final Map<String, List<Endorser>> trustedBySubscription = new HashMap<>();
  private final Map<String, VerifiedImageList> lists = new ConcurrentHashMap<>();
  private final Map<String, SubscriptionState> states = new ConcurrentHashMap<>();
  private final Map<String, Validators> validators = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> held = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> refused = new ConcurrentHashMap<>();
  /** Versions announced available and not yet announced gone; guarded by {@code this}. */
  private Map<String, ImageVersion> announced = Map.of();

  /** An image from a verified list, with the subscription that vouched for it. */
  public record EndorsedImage(Image image, String subscription, ImageList list) {}

  /** A catalog whose changes nobody listens to. */
  public ImageCatalog(ImageListVerifier verifier, SiteConfig config, ImageListFetcher fetcher,
      Clock clock) {
    this(verifier, config, fetcher, clock, ImageEvents.none());
  }

  /** A catalog that announces every change of the launchable set to {@code events}. */
  public ImageCatalog(ImageListVerifier verifier, SiteConfig config, ImageListFetcher fetcher,
      Clock clock, ImageEvents events) {
    this(verifier, config.imageLists(), config.endorsers(), fetcher, clock, events);
  }

  /**
   * A catalog of these subscriptions.
   *
   * @param endorsers every endorser a subscription names, by name
   */
  public ImageCatalog(ImageListVerifier verifier, List<SubscriptionConfig> subscriptions,
      Map<String, EndorserConfig> endorsers, ImageListFetcher fetcher, Clock clock,
      ImageEvents events) {
    this.verifier = verifier;
    this.fetcher = fetcher;
    this.clock = clock;
    this.events = events;
    for (SubscriptionConfig subscription : subscriptions) {
      List<Endorser> trusted = subscription.endorsers().stream()
          .map(endorsers::get)
          .map(e -> new Endorser(e.dn(), e.caDn()))
          .toList();
      this.subscriptions.put(subscription.name(), subscription);
      trustedBySubscription.put(subscription.name(), trusted);
      held.put(subscription.name(), ConcurrentHashMap.newKeySet());
      refused.put(subscription.name(), ConcurrentHashMap.newKeySet());
    }
  }

  /**
   * Fetches and verifies one subscription's list. Blocks (file or network I/O).
   *
   * @return true if a new list was accepted; false if the list in use is unchanged (HTTP
   *     304) or the new one was refused
   */
  public synchronized boolean refresh(SubscriptionConfig subscription) {
    announceChanges();
    try {
      Result result = fetcher.fetch(subscription.url(),
          validators.getOrDefault(subscription.name(), Validators.NONE));
      if (!(result instanceof Fetched fetched)) {
        log.debug("image list not modified subscription={}", subscription.name());
        return false;
      }
      accept(subscription, fetched);
      announceChanges();
      return true;
    } catch (ImageListException | ImageListFetcher.FetchException e) {
      keepingLastGood(subscription, e);
      return false;
    }
  }

  private void accept(SubscriptionConfig subscription, Fetched fetched) {
    String name = subscription.name();
    VerifiedImageList verified = verifier.verify(subscription.url(), fetched.bytes(),
        trustedBySubscription.get(name), subscription.allowUnsigned());
    SubscriptionState before = states.getOrDefault(name, SubscriptionState.initial(name));
    SubscriptionRules.Accepted accepted =
        SubscriptionRules.check(before, verified, otherImageIds(name));
    sortNewImages(subscription, before, verified.imageList());
    states.put(name, accepted.next());
    lists.put(name, verified);
    validators.put(name, fetched.validators());
    List<String> warnings = new ArrayList<>(verified.warnings());
    warnings.addAll(accepted.warnings());
    warnings.addAll(allowListWarnings(subscription, verified.imageList()));
    warnings.forEach(w -> log.warn("image list warning subscription={} {}", name, w));
    log.info("image list accepted subscription={} identifier={} version={} images={}"
        + " endorser={}", name, verified.imageList().identifier(),
        verified.imageList().version(), verified.imageList().images().size(),
        verified.signed() ? verified.signerDn() : "UNSIGNED");
  }

  /**
   * Applies the {@code new_images} policy to images that were not in the list accepted
   * before. The first accepted list sets the baseline and is taken whole.
   */
  private void sortNewImages(SubscriptionConfig subscription, SubscriptionState before,
      ImageList list) {
    String name = subscription.name();
    Set<String> ids = new HashSet<>();
    list.images().forEach(image -> ids.add(image.identifier()));
    held.get(name).retainAll(ids);
    refused.get(name).retainAll(ids);
    if (!before.hasAccepted() || subscription.newImages() == NewImagePolicy.ACCEPT) {
      return;
    }
    for (Image image : list.images()) {
      String id = image.identifier();
      if (before.imageIds().contains(id) || !allowed(subscription, id)) {
        continue;
      }
      if (subscription.newImages() == NewImagePolicy.HOLD) {
        held.get(name).add(id);
        log.warn("new image held for operator approval subscription={} image={} title={}"
            + " version={}", name, id, image.title(), list.version());
      } else {
        refused.get(name).add(id);
        log.warn("new image refused by policy subscription={} image={} title={} version={}",
            name, id, image.title(), list.version());
      }
    }
  }

  private static List<String> allowListWarnings(SubscriptionConfig subscription,
      ImageList list) {
    Set<String> ids = new HashSet<>();
    list.images().forEach(image -> ids.add(image.identifier()));
    return subscription.allowImages().stream().filter(id -> !ids.contains(id))
        .map(id -> "allow_images names image " + id + ", which list version "
            + list.version() + " does not contain")
        .toList();
  }

  /** Image ids of every other subscription's accepted list, which must not reappear here. */
  private Map<String, Set<String>> otherImageIds(String subscription) {
    Map<String, Set<String>> others = new HashMap<>();
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

  /**
   * Makes an image that the {@code hold} policy kept back launchable.
   *
   * @throws IllegalArgumentException if the subscription is unknown or does not hold that
   *     image
   */
  public synchronized void approve(String subscription, String imageId) {
    Set<String> waiting = held.get(subscription);
    if (waiting == null) {
      throw new IllegalArgumentException("no image list subscription '" + subscription
          + "' (known: " + subscriptions.keySet() + ")");
    }
    if (!waiting.remove(imageId)) {
      throw new IllegalArgumentException("image " + imageId + " is not held for approval on"
          + " subscription '" + subscription + "' (held: " + waiting.stream().sorted().toList()
          + ")");
    }
    log.info("held image approved subscription={} image={}", subscription, imageId);
    announceChanges();
  }

  /** The images of a subscription waiting for {@link #approve}, sorted. */
  public List<String> held(String subscription) {
    return held.getOrDefault(subscription, Set.of()).stream().sorted().toList();
  }

  /** Announces images whose list or own date has expired. Cheap; call it periodically. */
  public synchronized void checkExpiry() {
    announceChanges();
  }

  /** The endorsed image with this {@code dc:identifier}, if it may be started now. */
  public Optional<EndorsedImage> launchable(String imageId) {
    return launchableNow(clock.instant())
        .filter(endorsed -> endorsed.image().identifier().equals(imageId))
        .findFirst();
  }

  private Stream<EndorsedImage> launchableNow(Instant now) {
    return lists.entrySet().stream()
        .filter(entry -> !entry.getValue().imageList().expires().isBefore(now))
        .flatMap(entry -> entry.getValue().imageList().images().stream()
            .filter(image -> image.expires() == null || image.expires().isAfter(now))
            .filter(image -> isReleased(entry.getKey(), image.identifier()))
            .map(image -> new EndorsedImage(image, entry.getKey(),
                entry.getValue().imageList())));
  }

  private boolean isReleased(String subscription, String imageId) {
    SubscriptionConfig config = subscriptions.get(subscription);
    return config != null && allowed(config, imageId)
        && !held.get(subscription).contains(imageId)
        && !refused.get(subscription).contains(imageId);
  }

  private static boolean allowed(SubscriptionConfig subscription, String imageId) {
    return subscription.allowImages().isEmpty()
        || subscription.allowImages().contains(imageId);
  }

  /** Compares the launchable set with what was announced, and announces the difference. */
  private void announceChanges() {
    Map<String, ImageVersion> now = new LinkedHashMap<>();
    launchableNow(clock.instant()).forEach(endorsed -> now.put(
        endorsed.subscription() + "|" + endorsed.image().identifier(), version(endorsed)));
    Map<String, ImageVersion> before = announced;
    announced = Map.copyOf(now);
    before.forEach((key, gone) -> {
      if (!now.containsKey(key)) {
        announceGone(gone);
      }
    });
    now.forEach((key, current) -> {
      ImageVersion previous = before.get(key);
      if (previous == null) {
        log.info("image available subscription={} image={} sha512={}", current.subscription(),
            current.imageId(), abbreviated(current.sha512()));
        events.available(current);
      } else if (!previous.sha512().equals(current.sha512())) {
        log.warn("image checksum changed subscription={} image={} before={} after={}",
            current.subscription(), current.imageId(), abbreviated(previous.sha512()),
            abbreviated(current.sha512()));
        events.checksumChanged(previous, current);
      }
    });
  }

  private void announceGone(ImageVersion gone) {
    VerifiedImageList list = lists.get(gone.subscription());
    boolean stillListed = list != null && list.imageList().images().stream()
        .anyMatch(image -> image.identifier().equals(gone.imageId()));
    if (stillListed) {
      log.warn("image expired subscription={} image={} list_expires={}", gone.subscription(),
          gone.imageId(), list.imageList().expires());
      events.expired(gone);
      return;
    }
    String reason = "image list " + (list == null ? gone.subscription() : list.sourceName())
        + " version " + (list == null ? null : list.imageList().version())
        + " no longer contains it";
    log.warn("image removed subscription={} image={} reason={}", gone.subscription(),
        gone.imageId(), reason);
    events.removed(gone, reason);
  }

  private static ImageVersion version(EndorsedImage endorsed) {
    Image image = endorsed.image();
    return new ImageVersion(endorsed.subscription(), image.identifier(), image.title(),
        image.version(), image.uri(), image.size(), image.sha512(), image.format());
  }

  private static String abbreviated(String sha512) {
    return sha512.substring(0, Math.min(16, sha512.length()));
  }
}
