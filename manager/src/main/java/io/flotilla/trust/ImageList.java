package io.flotilla.trust;

import java.time.Instant;
import java.util.List;

/**
 * The decoded {@code hv:imagelist}. Required: identifier, created, expires, endorserDn,
 * endorserCaDn, images (possibly empty after invalid images were skipped). title, version,
 * uri and vo may be {@code null}.
 *
 * @param identifier {@code dc:identifier}, stable for a subscription
 * @param title {@code dc:title}
 * @param version {@code hv:version}
 * @param created {@code dc:date:created}
 * @param expires {@code dc:date:expires}
 * @param endorserDn {@code hv:endorser/hv:x509/hv:dn} (or the older {@code hv:dn_x509})
 * @param endorserCaDn {@code hv:endorser/hv:x509/hv:ca}
 * @param uri {@code hv:uri}, where updated versions are published
 * @param vo {@code ad:vo} (AppDB extension)
 * @param images the valid images, in list order
 */
public record ImageList(
    String identifier,
    String title,
    String version,
    Instant created,
    Instant expires,
    String endorserDn,
    String endorserCaDn,
    String uri,
    String vo,
    List<Image> images) {

  /** Copies {@code images} so the record stays immutable. */
  public ImageList {
    images = List.copyOf(images);
  }
}
