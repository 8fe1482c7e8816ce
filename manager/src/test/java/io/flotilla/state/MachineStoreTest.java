package io.flotilla.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineStoreTest {
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
  @TempDir Path dir;

  private final ConcurrentMap<String, String> shared = new ConcurrentHashMap<>();

  private static MachineRecord machine(String id, String tokenHash) {
    return MachineRecord.requested(id, "atlas", "sandbox", "image-1",
        new MachineSpecs(1, 2048, 0, 3600, 300, 60), tokenHash, NOW);
  }

  @Test
  void update_changesTheRecordAtomically_andKeepsItReadable() {
    MachineStore store = new MachineStore(shared);
    store.insert(machine("m-1", "aa"));

    store.update("m-1", m -> m.withHeartbeat(NOW));

    assertThat(store.get("m-1")).get().extracting(MachineRecord::lastHeartbeat).isEqualTo(NOW);
    assertThat(store.all()).hasSize(1);
  }

  @Test
  void get_whenRecordRewrittenWithoutTheSecret_treatsItAsAbsent() {
    MachineStore store = new MachineStore(shared);
    store.insert(machine("m-1", "aa"));
    String sealed = shared.get("m-1");
    String forged = sealed.substring(0, sealed.indexOf('.') + 1)
        + sealed.substring(sealed.indexOf('.') + 1).replace("\"aa\"", "\"bb\"");
    shared.put("m-1", forged);

    assertThat(store.get("m-1")).isEmpty();
    assertThat(store.all()).isEmpty();
    assertThatThrownBy(() -> store.update("m-1", m -> m.withHeartbeat(NOW)))
        .isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void get_whenRecordWrittenByAnotherSecret_treatsItAsAbsent() {
    new MachineStore(shared).insert(machine("m-1", "aa"));

    assertThat(new MachineStore(shared).get("m-1")).isEmpty();
  }

  @Test
  void fromFile_whenMissing_createsAPrivateSecretThatOtherManagersShare() throws IOException {
    Path file = dir.resolve("state/cluster.secret");
    new MachineStore(shared, RecordSeal.fromFile(file)).insert(machine("m-1", "aa"));

    MachineStore other = new MachineStore(shared, RecordSeal.fromFile(file));

    assertThat(other.get("m-1")).isPresent();
    assertThat(Files.size(file)).isEqualTo(RecordSeal.SECRET_BYTES);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void fromFile_whenSecretTooShort_refusesNamingTheFile() throws IOException {
    Path file = dir.resolve("short.secret");
    Files.write(file, new byte[8]);

    assertThatThrownBy(() -> RecordSeal.fromFile(file))
        .hasMessage("cluster secret " + file + " holds 8 bytes; at least 32 are needed");
  }
}
