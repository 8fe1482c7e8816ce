package io.flotilla.images;

/**
 * An image could not be put into the cache: download refused or failed, size or SHA-512 not
 * as endorsed, an archive or disk format that cannot be used, a conversion that failed. The
 * message names the image, the URL or file, and the expected and actual values. Nothing of
 * the attempt is left in the cache.
 */
public final class ImageCacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ImageCacheException(String message) {
    super(message);
  }

  public ImageCacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
