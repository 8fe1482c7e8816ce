package io.flotilla.accounting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApelOutboxTest {
  private static final Instant NOW = Instant.parse("2030-01-01T12:34:56.789Z");

  @TempDir Path dir;
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void write_putsOneMessagePerBatch_inTheDirqLayout_andParsesBackByApelRules()
      throws IOException {
    ApelOutbox outbox = new ApelOutbox(dir.resolve("outgoing"), dir.resolve("archive"), clock);

    int written = outbox.write(List.of(record("m-1", 3600), record("m-2", 120)));

    assertThat(written).isEqualTo(2);
    List<Path> files = ApelMessages.elements(dir.resolve("outgoing"));
    assertThat(files).singleElement().satisfies(file -> {
      assertThat(file.getParent().getFileName().toString())
          .isEqualTo(String.format("%08x", NOW.getEpochSecond() / 60 * 60));
      assertThat(file.getFileName().toString()).matches("[0-9a-f]{14}")
          .startsWith(String.format("%08x", NOW.getEpochSecond()));
    });
    List<Map<String, String>> records = ApelMessages.parse(Files.readString(files.get(0)));
    assertThat(records).hasSize(2);
    records.forEach(ApelMessages::checkApelFieldRules);
    assertThat(records.get(0)).containsEntry("LocalJobId", "m-1")
        .containsEntry("WallDuration", "3600");
    assertThat(ApelMessages.elements(dir.resolve("archive"))).hasSize(1);
    try (Stream<Path> left = Files.walk(dir)) {
      assertThat(left.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void write_neverWritesAMachineTwice_evenAfterARestartAndTheSenderRemovedTheFile()
      throws IOException {
    ApelOutbox first = new ApelOutbox(dir.resolve("outgoing"), dir.resolve("archive"), clock);
    first.write(List.of(record("m-1", 3600)));
    assertThat(first.write(List.of(record("m-1", 3600)))).isZero();
    for (Path sent : ApelMessages.elements(dir.resolve("outgoing"))) {
      Files.delete(sent);
    }

    ApelOutbox restarted =
        new ApelOutbox(dir.resolve("outgoing"), dir.resolve("archive"), clock);

    assertThat(restarted.alreadyWritten("m-1")).isTrue();
    assertThat(restarted.write(List.of(record("m-1", 3600), record("m-3", 60)))).isEqualTo(1);
    assertThat(restarted.writtenSinceStart()).isEqualTo(1);
  }

  @Test
  void record_refusesAValueThatWouldBreakTheMessage() {
    Map<String, String> fields = new LinkedHashMap<>(record("m-1", 10).fields());
    fields.put("Queue", "atlas\n%%");

    assertThatThrownBy(() -> new ApelRecord(fields))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("APEL record field Queue must be one non-empty line");
  }

  @Test
  void spaceDn_turnsADnsLikeSpaceIntoDomainComponents() {
    assertThat(ApelAccounting.spaceDn("vcycle01.example.com"))
        .isEqualTo("/DC=com/DC=example/DC=vcycle01");
    assertThat(ApelAccounting.spaceDn("sandbox")).isEqualTo("/DC=sandbox");
  }

  static ApelRecord record(String id, long wall) {
    long end = NOW.getEpochSecond() - 60;
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("Site", "TEST-SITE");
    fields.put("SubmitHost", "cloud/flotilla-host");
    fields.put("LocalJobId", id);
    fields.put("Queue", "atlas");
    fields.put("WallDuration", Long.toString(wall));
    fields.put("CpuDuration", Long.toString(wall * 2));
    fields.put("Processors", "2");
    fields.put("NodeCount", "1");
    fields.put("StartTime", Long.toString(end - wall));
    fields.put("EndTime", Long.toString(end));
    fields.put("ServiceLevelType", "HEPSPEC");
    fields.put("ServiceLevel", "10.000");
    return new ApelRecord(fields);
  }
}
