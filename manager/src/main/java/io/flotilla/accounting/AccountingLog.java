package io.flotilla.accounting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.state.MachineRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One usage record per finished machine, appended as a line of JSON to a file (format in the
 * README). Each line is written whole with one write and forced to disk before the machine
 * is marked as accounted, so a crash never leaves half a line.
 */
public final class AccountingLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  public AccountingLog(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** Appends the record of a machine that reached GONE. */
  public synchronized void append(MachineRecord machine) {
    byte[] line = (encode(machine) + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        out.write(ByteBuffer.wrap(line));
        out.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append accounting record to " + file, e);
    }
  }

  static String encode(MachineRecord machine) {
    Instant start = machine.startedAt();
    Instant end = machine.endedAt();
    long wall = start == null || end == null ? 0 : Duration.between(start, end).toSeconds();
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("machine_id", machine.id());
    fields.put("vo", machine.vo());
    fields.put("cloud", machine.cloud());
    fields.put("cloud_id", machine.cloudId());
    fields.put("image_id", machine.imageId());
    fields.put("start", start == null ? null : start.getEpochSecond());
    fields.put("end", end == null ? null : end.getEpochSecond());
    fields.put("wall_seconds", Math.max(0, wall));
    fields.put("cores", machine.spec().cores());
    fields.put("hs06", machine.spec().hs06());
    fields.put("shutdown_code", machine.shutdownCode());
    fields.put("shutdown_message", machine.shutdownMessage());
    fields.put("states", machine.statePath());
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode accounting record " + machine.id(), e);
    }
  }
}
