package io.flotilla.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla imagelist new}: writes an unsigned list JSON for local image files,
 * computing each file's size and SHA-512 while streaming it.
 *
 * <p>Image identifiers are name-based UUIDs of the list identifier and the file name, so
 * running the command again with the same {@code --identifier} keeps each image's identity
 * across versions, as the HEPiX rules require.
 */
@Command(name = "new", mixinStandardHelpOptions = true,
    description = {"Writes an unsigned image list JSON for IMAGEFILE..., with each file's size"
        + " and SHA-512. Sign it with 'imagelist sign'.",
        "Exit status: 0 when written, 1 when an image cannot be read, 2 on a usage error."})
final class ImageListNewCommand implements Callable<Integer> {

  private static final DateTimeFormatter ZULU =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter VERSION =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
  private static final Map<String, String> FORMATS = Map.of("qcow2", "QCOW2", "img", "RAW",
      "raw", "RAW", "ova", "OVA", "vmdk", "VMDK", "vdi", "VDI", "iso", "ISO", "vhd", "VHD");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec
  CommandSpec spec;

  @Option(names = "--identifier", paramLabel = "UUID",
      description = "the list's dc:identifier (default: a new random UUID)")
  UUID identifier;

  @Option(names = "--title", required = true, description = "dc:title of the list")
  String title;

  @Option(names = "--endorser-dn", required = true, paramLabel = "DN",
      description = "hv:dn: the subject of the certificate that will sign the list")
  String endorserDn;

  @Option(names = "--endorser-ca", required = true, paramLabel = "DN",
      description = "hv:ca: the issuer of that certificate")
  String endorserCaDn;

  @Option(names = "--uri", required = true, paramLabel = "URL",
      description = "hv:uri: where the signed list will be published")
  String uri;

  @Option(names = "--expires-days", paramLabel = "N", defaultValue = "28",
      description = "days until dc:date:expires (default ${DEFAULT-VALUE})")
  int expiresDays;

  @Option(names = "--image-base-uri", paramLabel = "URL",
      description = "each image's hv:uri is URL/<file name> (default: the file: URI)")
  String imageBaseUri;

  @Option(names = "--vo", description = "ad:vo, the VO the list is published for")
  String vo;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE",
      description = "write the JSON here instead of standard output")
  Path outFile;

  @Parameters(index = "0..*", arity = "1..*", paramLabel = "IMAGEFILE",
      description = "the image files")
  List<Path> images;

  @Override
  public Integer call() throws IOException {
    if (expiresDays < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--expires-days must be at least 1, was " + expiresDays);
    }
    Instant now = Clock.systemUTC().instant().truncatedTo(ChronoUnit.SECONDS);
    UUID listId = identifier == null ? UUID.randomUUID() : identifier;
    ArrayNode entries = JSON.createArrayNode();
    for (Path image : images) {
      try {
        entries.addObject().set("hv:image", imageEntry(listId, image));
      } catch (IOException e) {
        spec.commandLine().getErr().println("flotilla imagelist new: cannot read image "
            + image + ": " + e);
        return ImageListFiles.REFUSED;
      }
    }
    String json = JSON.writeValueAsString(JSON.createObjectNode()
        .set("hv:imagelist", listEntry(listId, now, entries))) + "\n";
    write(json);
    return ImageListFiles.OK;
  }

  private ObjectNode listEntry(UUID listId, Instant now, ArrayNode entries) {
    ObjectNode list = JSON.createObjectNode();
    list.put("dc:date:created", ZULU.format(now));
    list.put("dc:date:expires", ZULU.format(now.plus(Duration.ofDays(expiresDays))));
    list.put("dc:identifier", listId.toString());
    list.put("dc:title", title);
    if (vo != null) {
      list.put("ad:vo", vo);
    }
    ObjectNode x509 = list.putObject("hv:endorser").putObject("hv:x509");
    x509.put("hv:ca", endorserCaDn);
    x509.put("hv:dn", endorserDn);
    list.set("hv:images", entries);
    list.put("hv:uri", uri);
    list.put("hv:version", VERSION.format(now));
    return list;
  }

  private ObjectNode imageEntry(UUID listId, Path image) throws IOException {
    String name = image.getFileName().toString();
    MessageDigest sha512 = sha512();
    long size = 0;
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(image)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        sha512.update(buffer, 0, n);
        size += n;
      }
    }
    ObjectNode entry = JSON.createObjectNode();
    entry.put("dc:identifier", UUID.nameUUIDFromBytes((listId + "/" + name)
        .getBytes(StandardCharsets.UTF_8)).toString());
    entry.put("dc:title", name);
    entry.put("hv:uri", imageBaseUri == null ? image.toAbsolutePath().toUri().toString()
        : imageBaseUri.replaceAll("/+$", "") + "/" + name);
    entry.put("hv:size", size);
    entry.put("hv:version", "1");
    String format = FORMATS.get(extension(name));
    if (format != null) {
      entry.put("hv:format", format);
    }
    entry.put("sl:checksum:sha512", HexFormat.of().formatHex(sha512.digest()));
    return entry;
  }

  private void write(String json) throws IOException {
    if (outFile == null) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(json);
      out.flush();
    } else {
      Files.writeString(outFile, json, StandardCharsets.UTF_8);
    }
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-512", e);
    }
  }
}
