package io.flotilla.credentials;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Writes PEM blocks into exactly sized byte arrays, so that a bundle holding a private key
 * leaves no half-filled growth buffers behind and can be zeroed in one place.
 */
final class PemWriter {
  private static final byte[] LINE_END = {'\n'};
  private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(64, LINE_END);

  private PemWriter() {}

  /** One PEM block of {@code type} around {@code der}, ending with a newline. */
  static byte[] block(String type, byte[] der) {
    byte[] body = BASE64.encode(der);
    byte[] header = ("-----BEGIN " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    byte[] footer = ("\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    byte[] block = concat(List.of(header, body, footer));
    Arrays.fill(body, (byte) 0);
    return block;
  }

  static byte[] concat(List<byte[]> parts) {
    int length = parts.stream().mapToInt(part -> part.length).sum();
    byte[] out = new byte[length];
    int offset = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, offset, part.length);
      offset += part.length;
    }
    return out;
  }
}
