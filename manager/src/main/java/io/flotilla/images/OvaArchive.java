package io.flotilla.images;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Takes the disk out of an OVA: a tar (ustar, GNU or pax) holding an {@code .ovf}
 * descriptor, perhaps a manifest, and the disk. Only single-disk appliances are accepted.
 * Entry names are never used as paths: the disk is written to a file the caller names, so a
 * hostile archive cannot write elsewhere.
 */
final class OvaArchive {
  private static final int BLOCK = 512;
  private static final List<String> DISK_SUFFIXES =
      List.of(".vmdk", ".qcow2", ".img", ".raw");

  private final Path ova;
  private final String imageName;

  /** @param imageName names the image in messages */
  OvaArchive(Path ova, String imageName) {
    this.ova = ova;
    this.imageName = imageName;
  }

  /** One archive member: its name, where its data begins and how long it is. */
  private record Entry(String name, long offset, long size) {}

  /**
   * Copies the only disk of the archive to {@code target}.
   *
   * @throws ImageCacheException if the archive is broken, has no {@code .ovf}, or has no
   *     disk or several
   */
  void extractDisk(Path target) throws IOException {
    List<Entry> entries = entries();
    List<String> names = entries.stream().map(Entry::name).toList();
    if (names.stream().noneMatch(name -> lower(name).endsWith(".ovf"))) {
      throw refuse("holds no .ovf descriptor (members: " + names + ")");
    }
    List<Entry> disks = entries.stream().filter(OvaArchive::isDisk).toList();
    if (disks.size() != 1) {
      throw refuse("holds " + disks.size() + " disks, expected exactly 1 (members: " + names
          + ")");
    }
    copy(disks.get(0), target);
  }

  private static boolean isDisk(Entry entry) {
    String name = lower(entry.name());
    return DISK_SUFFIXES.stream().anyMatch(name::endsWith);
  }

  private List<Entry> entries() throws IOException {
    List<Entry> entries = new ArrayList<>();
    long fileSize = Files.size(ova);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(ova))) {
      long position = 0;
      String longName = null;
      Long paxSize = null;
      String paxName = null;
      while (true) {
        byte[] header = in.readNBytes(BLOCK);
        if (header.length < BLOCK) {
          throw refuse("ends inside a tar header at byte " + position);
        }
        position += BLOCK;
        if (isZero(header)) {
          return entries;
        }
        long size = paxSize != null ? paxSize : octal(header, 124, 12, position);
        if (size < 0 || position + size > fileSize) {
          throw refuse("tar member at byte " + (position - BLOCK) + " claims " + size
              + " bytes, beyond the end of the " + fileSize + "-byte file");
        }
        char type = (char) header[156];
        String name = paxName != null ? paxName : longName != null ? longName : name(header);
        long dataStart = position;
        byte[] data = type == 'L' || type == 'x' ? readSmall(in, size) : null;
        skipFully(in, padded(size) - (data == null ? 0 : size));
        position += padded(size);
        if (type == 'L') {
          longName = text(data, 0, data.length);
          continue;
        }
        if (type == 'x') {
          paxName = paxValue(data, "path");
          String sizeText = paxValue(data, "size");
          paxSize = sizeText == null ? null : Long.parseLong(sizeText);
          continue;
        }
        if (type == '0' || type == '\0') {
          entries.add(new Entry(name, dataStart, size));
        }
        longName = null;
        paxName = null;
        paxSize = null;
      }
    } catch (NumberFormatException e) {
      throw refuse("has a malformed pax size record: " + e.getMessage());
    }
  }

  private void copy(Entry disk, Path target) throws IOException {
    try (InputStream in = Files.newInputStream(ova);
        OutputStream out = Files.newOutputStream(target)) {
      skipFully(in, disk.offset());
      byte[] chunk = new byte[1 << 16];
      long left = disk.size();
      while (left > 0) {
        int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
        if (n < 0) {
          throw refuse("ends inside member " + disk.name());
        }
        out.write(chunk, 0, n);
        left -= n;
      }
    }
  }

  private static long padded(long size) {
    return (size + BLOCK - 1) / BLOCK * BLOCK;
  }

  private byte[] readSmall(InputStream in, long size) throws IOException {
    if (size > 1 << 20) {
      throw refuse("has a " + size + "-byte name or pax header, more than 1 MiB");
    }
    byte[] data = in.readNBytes((int) size);
    if (data.length < size) {
      throw refuse("ends inside a pax or long-name header");
    }
    return data;
  }

  private void skipFully(InputStream in, long bytes) throws IOException {
    long skipped = in.skip(bytes);
    while (skipped < bytes) {
      if (in.read() < 0) {
        throw refuse("ends inside a tar member");
      }
      skipped++;
      skipped += in.skip(bytes - skipped);
    }
  }

  private long octal(byte[] header, int offset, int length, long position) {
    if ((header[offset] & 0x80) != 0) {
      long value = 0;
      for (int i = offset + 1; i < offset + length; i++) {
        value = (value << 8) | (header[i] & 0xff);
      }
      return value;
    }
    String text = text(header, offset, length).trim();
    if (!text.matches("[0-7]{1,12}")) {
      throw refuse("has a malformed tar size field '" + text + "' at byte " + (position - BLOCK));
    }
    return Long.parseLong(text, 8);
  }

  private static String name(byte[] header) {
    String name = text(header, 0, 100);
    String prefix = text(header, 345, 155);
    boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    return ustar && !prefix.isEmpty() ? prefix + "/" + name : name;
  }

  private static String text(byte[] bytes, int offset, int length) {
    int end = offset;
    while (end < offset + length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
  }

  /** A value of a pax extended header ({@code "<len> <key>=<value>\n"} records). */
  private static String paxValue(byte[] data, String key) {
    for (String record : new String(data, StandardCharsets.UTF_8).split("\n")) {
      int space = record.indexOf(' ');
      if (space > 0 && record.startsWith(key + "=", space + 1)) {
        return record.substring(space + 2 + key.length());
      }
    }
    return null;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private ImageCacheException refuse(String why) {
    return new ImageCacheException("image " + imageName + ": OVA " + ova.getFileName() + " "
        + why);
  }
}
