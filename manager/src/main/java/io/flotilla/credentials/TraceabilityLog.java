package io.flotilla.credentials;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An append-only file with one JSON object per line for every credential handed out, so a
 * site can trace a proxy or token seen elsewhere back to the machine and address that
 * received it. Proxies are identified by serial, tokens by {@code jti} (or a hash prefix). The
 * cluster keeps no state on disk, so this file is the durable record.
 *
 * <p>A new file is created with mode 600 where the file system supports POSIX permissions.
 * Each line is forced to disk before {@link #append} returns. Thread-safe.
 */
public final class TraceabilityLog implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<OpenOption> APPEND = Set.of(
      StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);

  /** How a token without {@code jti} is identified, see {@link IssuedCredential#traceId()}. */
  static final String SHA256_PREFIX = "sha256:";

  private final Path file;
  private final FileChannel channel;

  /**
   * Opens (creating if needed) the log file for appending.
   *
   * @throws CredentialException if the file cannot be opened
   */
  public TraceabilityLog(Path file) {
    this.file = file;
    this.channel = open(file);
  }

  public Path file() {
    return file;
  }

  /**
   * Appends one record as a JSON line and forces it to disk.
   *
   * @throws CredentialException if the line cannot be written
   */
  public synchronized void append(TraceRecord record) {
    ByteBuffer line = ByteBuffer.wrap(jsonLine(record));
    try {
      while (line.hasRemaining()) {
        channel.write(line);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new CredentialException("traceability log " + file + ": cannot write the record"
          + " for machine " + record.machineId() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }

  private static byte[] jsonLine(TraceRecord record) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("time", record.time().toString());
    fields.put("machine", record.machineId());
    fields.put("vo", record.vo());
    fields.put("type", record.kind().name().toLowerCase(Locale.ROOT));
    fields.put(idField(record), record.traceId().replaceFirst("^" + SHA256_PREFIX, ""));
    fields.put("subject", record.subject());
    fields.put("notAfter", record.notAfter().toString());
    fields.put("client", record.clientAddress());
    try {
      return (JSON.writeValueAsString(fields) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new CredentialException(
          "cannot encode the traceability record for machine " + record.machineId(), e);
    }
  }

  /** {@code serial} for proxies; {@code jti}, or {@code token_sha256} without one. */
  private static String idField(TraceRecord record) {
    if (record.kind() == IssuedCredential.Kind.PROXY) {
      return "serial";
    }
    return record.traceId().startsWith(SHA256_PREFIX) ? "token_sha256" : "jti";
  }

  private static FileChannel open(Path file) {
    FileAttribute<?> ownerOnly =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    try {
      try {
        return FileChannel.open(file, APPEND, ownerOnly);
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: the directory's own permissions have to protect it.
        return FileChannel.open(file, APPEND);
      }
    } catch (IOException e) {
      throw new CredentialException(
          "traceability log " + file + ": cannot open for appending: " + e, e);
    }
  }
}
