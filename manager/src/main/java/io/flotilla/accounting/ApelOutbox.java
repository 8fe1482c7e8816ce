package io.flotilla.accounting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes APEL record messages into the outgoing directory the APEL SSM sender reads, in the
 * layout of its "simple directory queue" (dirq {@code QueueSimple}): a folder per minute
 * named by eight hex digits of the Unix time, and in it one file per message named by
 * fourteen hex digits (seconds, sub-second part, a random digit). A message is written to
 * {@code NAME.tmp}, forced to disk, then hard-linked to {@code NAME}, so the sender never
 * sees half a message.
 *
 * <p>Every message also gets a second name under the archive folder. The sender deletes its
 * copy once sent; the archive copy stays, and at start-up the outbox reads the
 * {@code LocalJobId} of every record under both folders. That is its whole memory: a machine
 * is never written twice, even by a manager restarted with an empty cluster.
 */
public final class ApelOutbox {
  private static final Logger log = LoggerFactory.getLogger(ApelOutbox.class);
  private static final Pattern ELEMENT = Pattern.compile("[0-9a-f]{14}(\\.lck)?");
  private static final Pattern FOLDER = Pattern.compile("[0-9a-f]{8}");
  private static final String JOB_ID = "LocalJobId: ";
  private static final int GRANULARITY_SECONDS = 60;
  private static final java.time.Duration STALE_TEMP = java.time.Duration.ofMinutes(5);

  private final Path outgoing;
  private final Path archive;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Set<String> written = new HashSet<>();
  private int writtenNow;

  /**
   * Opens the outbox and reads which machines already have a record.
   *
   * @throws UncheckedIOException naming the folder that cannot be created or read
   */
  public ApelOutbox(Path outgoing, Path archive, Clock clock) {
    this.outgoing = outgoing;
    this.archive = archive;
    this.clock = clock;
    createFolder(outgoing);
    createFolder(archive);
    remember(outgoing);
    remember(archive);
  }

  /** Folder of the SSM sender's queue. */
  public Path outgoing() {
    return outgoing;
  }

  /** Whether a record for this machine was already written, now or before a restart. */
  public synchronized boolean alreadyWritten(String machineId) {
    return written.contains(machineId);
  }

  /** Records written by this outbox since it was opened. */
  public synchronized int writtenSinceStart() {
    return writtenNow;
  }

  /**
   * Writes the records not written before as one message.
   *
   * @return how many records were written (0 writes no file)
   * @throws UncheckedIOException if the message cannot be written; nothing is remembered
   *     then, so the caller may retry
   */
  public synchronized int write(List<ApelRecord> records) {
    List<ApelRecord> fresh = records.stream()
        .filter(r -> !written.contains(r.localJobId())).distinct().toList();
    if (fresh.isEmpty()) {
      return 0;
    }
    byte[] message = ApelRecord.message(fresh).getBytes(StandardCharsets.UTF_8);
    Path element = enqueue(message);
    fresh.forEach(r -> written.add(r.localJobId()));
    writtenNow += fresh.size();
    log.info("APEL records written count={} file={}", fresh.size(), element);
    return fresh.size();
  }

  private Path enqueue(byte[] message) {
    Instant now = clock.instant();
    String folder = String.format(Locale.ROOT, "%08x",
        now.getEpochSecond() - now.getEpochSecond() % GRANULARITY_SECONDS);
    Path dir = outgoing.resolve(folder);
    createFolder(dir);
    try {
      Path temp = dir.resolve(elementName(now) + ".tmp");
      writeForced(temp, message);
      Path element = linkUnique(dir, temp, now);
      Files.delete(temp);
      keepCopy(element, folder);
      return element;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write APEL message under " + dir, e);
    }
  }

  private Path linkUnique(Path dir, Path temp, Instant now) throws IOException {
    while (true) {
      Path element = dir.resolve(elementName(now));
      try {
        Files.createLink(element, temp);
        return element;
      } catch (FileAlreadyExistsException e) {
        now = now.plusNanos(10_000);
      }
    }
  }

  /** A hard link when the archive shares the file system, else a copy. */
  private void keepCopy(Path element, String folder) throws IOException {
    Path dir = archive.resolve(folder);
    createFolder(dir);
    Path copy = dir.resolve(element.getFileName());
    try {
      Files.createLink(copy, element);
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(element, copy, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** dirq's element name: 8 hex digits of seconds, 5 of the sub-second part, 1 random. */
  private String elementName(Instant at) {
    long fraction = at.getNano() / 10_000;
    return String.format(Locale.ROOT, "%08x%05x%x", at.getEpochSecond(), fraction,
        random.nextInt(16));
  }

  private static void writeForced(Path file, byte[] bytes) throws IOException {
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      out.force(true);
    }
  }

  private void remember(Path root) {
    try (Stream<Path> folders = Files.list(root)) {
      for (Path folder : folders.filter(p -> FOLDER.matcher(p.getFileName().toString())
          .matches() && Files.isDirectory(p)).toList()) {
        rememberFolder(folder);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read APEL folder " + root, e);
    }
  }

  private void rememberFolder(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (ELEMENT.matcher(name).matches()) {
          readJobIds(file);
        } else if (name.endsWith(".tmp") && staleTemp(file)) {
          // A message a crash left half-written was never sent: its records are redone.
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /** Old enough that no live writer can still be filling it (dirq purges after 300 s). */
  private boolean staleTemp(Path file) throws IOException {
    Instant modified = Files.getLastModifiedTime(file).toInstant();
    return modified.plus(STALE_TEMP).isBefore(clock.instant());
  }

  private void readJobIds(Path file) throws IOException {
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith(JOB_ID)) {
        written.add(line.substring(JOB_ID.length()).strip());
      }
    }
  }

  private static void createFolder(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create APEL folder " + dir, e);
    }
  }
}
