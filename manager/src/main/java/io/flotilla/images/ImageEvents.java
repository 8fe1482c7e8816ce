package io.flotilla.images;

import java.util.List;

/**
 * Transitions of the launchable image set, emitted by {@link io.flotilla.trust.ImageCatalog}.
 * Each image version is announced {@link #available} once, and later leaves through exactly
 * one of {@link #expired}, {@link #removed} or {@link #checksumChanged} (which announces its
 * successor at the same time).
 *
 * <p>Called on the thread that refreshed the catalog, while the catalog is locked: listeners
 * must return quickly and hand slow work (downloads, uploads, draining machines) to a
 * worker. A listener that throws is logged and does not stop the others.
 */
public interface ImageEvents {

  /** The version became launchable: in a verified list, allowed, approved, unexpired. */
  default void available(ImageVersion image) {}

  /** The version's list or its own {@code dc:date:expires} has passed. */
  default void expired(ImageVersion image) {}

  /**
   * The version is no longer endorsed: it vanished from an update of its list. No new
   * machine may start from it; running ones may be drained.
   *
   * @param reason names the list and what changed
   */
  default void removed(ImageVersion image, String reason) {}

  /**
   * An update of the list endorses different bytes under the same identifier. The old bytes
   * are no longer endorsed; {@code after} is launchable once a cloud that needs the bytes
   * has them.
   */
  default void checksumChanged(ImageVersion before, ImageVersion after) {}

  /** A listener that ignores every event. */
  static ImageEvents none() {
    return new ImageEvents() {};
  }

  /** Calls each listener in order; a listener that throws does not stop the rest. */
  static ImageEvents all(List<ImageEvents> listeners) {
    return new FanOutEvents(List.copyOf(listeners));
  }
}
