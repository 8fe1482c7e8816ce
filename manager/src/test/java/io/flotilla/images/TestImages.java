package io.flotilla.images;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Image bytes, versions and tools for the image tests. */
final class TestImages {
  static final String IMAGE_ID = "c0482bc2-bf41-5d49-aaaa-a750174a186b";

  private TestImages() {}

  static String sha512(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A qcow2 header followed by filler: sniffed as qcow2, so cached without conversion. */
  static byte[] qcow2Like(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + seed);
    }
    bytes[0] = 'Q';
    bytes[1] = 'F';
    bytes[2] = 'I';
    bytes[3] = (byte) 0xfb;
    return bytes;
  }

  static ImageVersion version(String url, byte[] bytes, String format) {
    return new ImageVersion("appdb", IMAGE_ID, "Test image", "1.0", url, bytes.length,
        sha512(bytes), format);
  }

  /** Skips when qemu-img is missing, except on CI, where its absence is a failure. */
  static void requireQemuImg() {
    boolean present;
    try {
      present = new ProcessBuilder("qemu-img", "--version").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
    } catch (IOException e) {
      present = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      present = false;
    }
    if (!present && "true".equals(System.getenv("CI"))) {
      fail("qemu-img is missing on CI; .ci/run installs Debian's qemu-utils");
    }
    assumeTrue(present, "qemu-img (Debian package qemu-utils) is not installed: OVA"
        + " conversion is not tested");
  }

  /** Runs a command in {@code dir}, failing the test if it fails. */
  static void run(Path dir, List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      fail(command + " failed: " + output);
    }
  }

  /** A single-disk OVA: an .ovf descriptor and a 1 MiB VMDK made by qemu-img, tarred. */
  static byte[] tinyOva(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    run(dir, List.of("qemu-img", "create", "-q", "-f", "vmdk", "disk1.vmdk", "1M"));
    Files.writeString(dir.resolve("appliance.ovf"), """
        <?xml version="1.0" encoding="UTF-8"?>
        <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
            xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
          <References><File ovf:href="disk1.vmdk" ovf:id="file1"/></References>
          <DiskSection><Info>Disks</Info>
            <Disk ovf:capacity="1048576" ovf:diskId="vmdisk1" ovf:fileRef="file1"/>
          </DiskSection>
        </Envelope>
        """);
    run(dir, List.of("tar", "--format=ustar", "-cf", "appliance.ova", "appliance.ovf",
        "disk1.vmdk"));
    return Files.readAllBytes(dir.resolve("appliance.ova"));
  }
}
