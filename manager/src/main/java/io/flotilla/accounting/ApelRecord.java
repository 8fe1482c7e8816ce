package io.flotilla.accounting;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One APEL individual-job record: ordered {@code Key: Value} fields. Messages start with
 * {@value #HEADER} and end every record with a line {@code %%}, as the APEL loader expects.
 *
 * @param fields field names to values, in the order they are written
 */
public record ApelRecord(Map<String, String> fields) {
  public static final String HEADER = "APEL-individual-job-message: v0.3";
  public static final String SEPARATOR = "%%";
  /** Fields the APEL loader refuses a record without. */
  public static final List<String> REQUIRED = List.of("Site", "LocalJobId", "WallDuration",
      "CpuDuration", "StartTime", "EndTime");

  public ApelRecord {
    fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    for (String name : REQUIRED) {
      if (!fields.containsKey(name)) {
        throw new IllegalArgumentException("APEL record lacks required field " + name);
      }
    }
    fields.forEach(ApelRecord::checkValue);
  }

  public String localJobId() {
    return fields.get("LocalJobId");
  }

  /** A message holding {@code records}, ready to be written as one file. */
  public static String message(List<ApelRecord> records) {
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    for (ApelRecord record : records) {
      record.fields.forEach((name, value) -> text.append(name).append(": ").append(value)
          .append('\n'));
      text.append(SEPARATOR).append('\n');
    }
    return text.toString();
  }

  /** A value on two lines, or one that starts a record boundary, would corrupt the file. */
  private static void checkValue(String name, String value) {
    if (value == null || value.isBlank() || value.chars().anyMatch(Character::isISOControl)
        || value.strip().equals(SEPARATOR)) {
      throw new IllegalArgumentException("APEL record field " + name
          + " must be one non-empty line, got '" + value + "'");
    }
  }
}
