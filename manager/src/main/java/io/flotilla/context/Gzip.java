package io.flotilla.context;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** gzip with a fixed header (no file name, time 0), so equal input gives equal bytes. */
final class Gzip {
  private Gzip() {}

  static byte[] compress(byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(data.length / 3 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
      gzip.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException("gzip into memory failed", e);
    }
    return bytes.toByteArray();
  }

  static boolean isGzip(byte[] data) {
    return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
  }
}
