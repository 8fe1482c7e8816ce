package io.flotilla.trust;

import java.util.List;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;

/**
 * An image list read WITHOUT checking its signature, for display only (e.g. {@code flotilla
 * imagelist show}). Never launch anything from it: use {@link ImageListVerifier}.
 *
 * @param sourceName the name the caller gave the list
 * @param imageList the decoded list
 * @param envelope how the file is wrapped: {@code unsigned JSON}, or the S/MIME type
 * @param warnings images skipped while decoding
 */
public record UnverifiedImageList(String sourceName, ImageList imageList, String envelope,
    List<String> warnings) {

  /** Copies {@code warnings} so the record stays immutable. */
  public UnverifiedImageList {
    warnings = List.copyOf(warnings);
  }

  /**
   * Reads the JSON of a signed (detached or opaque) or unsigned list.
   *
   * @throws ImageListException MALFORMED_MIME or MALFORMED_LIST naming the problem
   */
  public static UnverifiedImageList read(String sourceName, byte[] fileBytes) {
    SmimeParser.SignedMessage message;
    try {
      message = new SmimeParser(sourceName).parse(fileBytes);
    } catch (ImageListException e) {
      if (e.reason() != ImageListException.Reason.NOT_SMIME) {
        throw e;
      }
      return decoded(sourceName, fileBytes, "unsigned JSON");
    }
    byte[] content = message.detached() ? message.signedContent() : opaqueContent(sourceName,
        message.pkcs7());
    return decoded(sourceName, SmimeParser.bodyOf(content), message.description());
  }

  private static UnverifiedImageList decoded(String sourceName, byte[] json, String envelope) {
    ImageListJson.Decoded decoded = new ImageListJson(sourceName).decode(json);
    return new UnverifiedImageList(sourceName, decoded.list(), envelope, decoded.warnings());
  }

  private static byte[] opaqueContent(String sourceName, byte[] pkcs7) {
    try {
      CMSSignedData signedData = new CMSSignedData(pkcs7);
      if (signedData.getSignedContent() != null) {
        return (byte[]) signedData.getSignedContent().getContent();
      }
    } catch (CMSException | RuntimeException e) {
      throw new ImageListException(ImageListException.Reason.MALFORMED_MIME, "image list "
          + sourceName + ": opaque PKCS#7 cannot be decoded: " + e.getMessage(), e);
    }
    throw new ImageListException(ImageListException.Reason.MALFORMED_MIME, "image list "
        + sourceName + ": opaque PKCS#7 carries no content");
  }
}
