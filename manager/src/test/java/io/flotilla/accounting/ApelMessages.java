package io.flotilla.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** Reads APEL messages back the way the APEL loader does, for tests. */
public final class ApelMessages {
  private static final Set<String> INTEGER_FIELDS = Set.of("WallDuration", "CpuDuration",
      "Processors", "NodeCount", "StartTime", "EndTime");

  private ApelMessages() {}

  public static List<Path> elements(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /**
   * Reads a message as the APEL loader does: a version header, then {@code Key: Value}
   * lines, each record closed by a {@code %%} line.
   */
  public static List<Map<String, String>> parse(String message) {
    String[] lines = message.split("\n", -1);
    assertThat(lines[0]).isEqualTo("APEL-individual-job-message: v0.3");
    List<Map<String, String>> records = new ArrayList<>();
    Map<String, String> current = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (line.equals("%%")) {
        records.add(current);
        current = new LinkedHashMap<>();
      } else if (!line.isEmpty()) {
        int colon = line.indexOf(": ");
        assertThat(colon).as("line '%s'", line).isPositive();
        assertThat(current.put(line.substring(0, colon), line.substring(colon + 2)))
            .as("field repeated: %s", line).isNull();
      }
    }
    assertThat(current).as("text after the last %%").isEmpty();
    return records;
  }

  /** Required fields, whole-number durations and counts, epoch times in order. */
  public static void checkApelFieldRules(Map<String, String> record) {
    assertThat(record).containsKeys(ApelRecord.REQUIRED.toArray(String[]::new));
    record.forEach((name, value) -> {
      if (INTEGER_FIELDS.contains(name)) {
        assertThat(value).as(name).matches("\\d+");
      }
    });
    long start = Long.parseLong(record.get("StartTime"));
    long end = Long.parseLong(record.get("EndTime"));
    assertThat(start).isGreaterThan(1_000_000_000L).isLessThanOrEqualTo(end);
    assertThat(end - start).isEqualTo(Long.parseLong(record.get("WallDuration")));
    if (record.containsKey("ServiceLevel")) {
      assertThat(record.get("ServiceLevelType")).isEqualToIgnoringCase("HEPSPEC");
      assertThat(Double.parseDouble(record.get("ServiceLevel"))).isPositive();
    }
  }
}
