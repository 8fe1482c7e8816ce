package io.flotilla.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run did, from the machine records: how many were created, reached RUNNING, were
 * drained, reached the end of their life, failed; and how many the clouds still hold.
 *
 * @param created machines recorded
 * @param run machines whose guest made contact (reached RUNNING)
 * @param drained machines that were told to stop (reached DRAINING)
 * @param terminated machines that reached GONE, failed ones included
 * @param failed machines that failed to start or were lost
 * @param leftRunning machines the clouds still hold for this site
 * @param unfinished records not yet GONE or not yet accounted
 * @param apelRecords APEL records written during the run
 */
public record RunSummary(
    int created, int run, int drained, int terminated, int failed, int leftRunning,
    int unfinished, int apelRecords) {

  /** Counts the records of one run that wrote no APEL records. */
  public static RunSummary of(Collection<MachineRecord> records, int leftRunning) {
    return of(records, leftRunning, 0);
  }

  /** Counts the records of one run. */
  public static RunSummary of(Collection<MachineRecord> records, int leftRunning,
      int apelRecords) {
    int run = 0;
    int drained = 0;
    int terminated = 0;
    int failed = 0;
    int unfinished = 0;
    for (MachineRecord machine : records) {
      List<MachineState> path = machine.statePath();
      run += path.contains(MachineState.RUNNING) ? 1 : 0;
      drained += path.contains(MachineState.DRAINING) ? 1 : 0;
      terminated += machine.state() == MachineState.GONE ? 1 : 0;
      failed += path.contains(MachineState.FAILED) || path.contains(MachineState.LOST) ? 1 : 0;
      unfinished += machine.state() != MachineState.GONE || !machine.accounted() ? 1 : 0;
    }
    return new RunSummary(records.size(), run, drained, terminated, failed, leftRunning,
        unfinished, apelRecords);
  }

  /** A run succeeded when the clouds hold nothing of it and every record is complete. */
  public boolean clean() {
    return leftRunning == 0 && unfinished == 0;
  }

  public String text() {
    return "created=" + created + " run=" + run + " drained=" + drained + " terminated="
        + terminated + " failed=" + failed + " left_running=" + leftRunning
        + " unfinished_records=" + unfinished + " apel_records=" + apelRecords;
  }

  /** Writes the summary as JSON, atomically (a temporary file renamed into place). */
  public void writeJson(Path file) throws IOException {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("created", created);
    fields.put("run", run);
    fields.put("drained", drained);
    fields.put("terminated", terminated);
    fields.put("failed", failed);
    fields.put("left_running", leftRunning);
    fields.put("unfinished_records", unfinished);
    fields.put("apel_records", apelRecords);
    fields.put("clean", clean());
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temp = Files.createTempFile(parent, ".summary", ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(temp.toFile(),
        fields);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
