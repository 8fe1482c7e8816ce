package io.flotilla.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a downloaded file really is, read from its first bytes rather than taken from the
 * list's {@code hv:format}, which is only a claim (and often just says "OVA" for a qcow2).
 */
enum DiskFormat {
  QCOW2("qcow2"),
  RAW("raw"),
  VMDK("vmdk"),
  /** A VMDK text descriptor: it names other files as its extents, so it is never used. */
  VMDK_DESCRIPTOR("vmdk"),
  OVA("ova"),
  COMPRESSED("compressed");

  private final String qemuName;

  DiskFormat(String qemuName) {
    this.qemuName = qemuName;
  }

  /** The name {@code qemu-img -f} and the clouds use. */
  String qemuName() {
    return qemuName;
  }

  /** Whether Glance and OpenNebula boot it as it is. */
  boolean bootable() {
    return this == QCOW2 || this == RAW;
  }

  static DiskFormat of(Path file) throws IOException {
    byte[] head = new byte[512];
    int read;
    try (InputStream in = Files.newInputStream(file)) {
      read = in.readNBytes(head, 0, head.length);
    }
    return of(Arrays.copyOf(head, read));
  }

  static DiskFormat of(byte[] head) {
    if (startsWith(head, 0, new byte[] {'Q', 'F', 'I', (byte) 0xfb})) {
      return QCOW2;
    }
    if (startsWith(head, 0, "KDMV".getBytes(StandardCharsets.US_ASCII))) {
      return VMDK;
    }
    if (startsWith(head, 0, "# Disk DescriptorFile".getBytes(StandardCharsets.US_ASCII))) {
      return VMDK_DESCRIPTOR;
    }
    if (startsWith(head, 257, "ustar".getBytes(StandardCharsets.US_ASCII))) {
      return OVA;
    }
    if (startsWith(head, 0, new byte[] {0x1f, (byte) 0x8b})
        || startsWith(head, 0, new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0})
        || startsWith(head, 0, new byte[] {'B', 'Z', 'h'})) {
      return COMPRESSED;
    }
    return RAW;
  }

  private static boolean startsWith(byte[] head, int offset, byte[] magic) {
    if (head.length < offset + magic.length) {
      return false;
    }
    return Arrays.equals(head, offset, offset + magic.length, magic, 0, magic.length);
  }
}
