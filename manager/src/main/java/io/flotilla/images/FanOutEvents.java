package io.flotilla.images;

import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers each event to several listeners, isolating them from each other's failures. */
final class FanOutEvents implements ImageEvents {
  private static final Logger log = LoggerFactory.getLogger(FanOutEvents.class);

  private final List<ImageEvents> listeners;

  FanOutEvents(List<ImageEvents> listeners) {
    this.listeners = listeners;
  }

  @Override
  public void available(ImageVersion image) {
    each("available", image, listener -> listener.available(image));
  }

  @Override
  public void expired(ImageVersion image) {
    each("expired", image, listener -> listener.expired(image));
  }

  @Override
  public void removed(ImageVersion image, String reason) {
    each("removed", image, listener -> listener.removed(image, reason));
  }

  @Override
  public void checksumChanged(ImageVersion before, ImageVersion after) {
    each("checksum-changed", after, listener -> listener.checksumChanged(before, after));
  }

  private void each(String event, ImageVersion image, Consumer<ImageEvents> call) {
    for (ImageEvents listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        log.error("image event listener failed event={} image={} listener={}", event,
            image.imageId(), listener.getClass().getName(), e);
      }
    }
  }
}
